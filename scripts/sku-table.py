#!/usr/bin/env python3
"""Regenerate data/skus.csv.gz, the built-in SKU table, from Microsoft's "Product names and
service plan identifiers for licensing" CSV (learn.microsoft.com/entra/identity/users/
licensing-service-plan-reference, "Download the CSV").

usage: python3 scripts/sku-table.py PATH/TO/product-names-and-service-plan-identifiers.csv

Every product is kept, with the four columns skusunset reads (Product_Display_Name, String_Id,
GUID, Service_Plan_Name); the service plan ids and friendly names are left out. The output is
gzip without a timestamp, so the same input gives the same bytes. Former product names live in
data/sku-aliases.csv (edited by hand).
"""
import csv
import gzip
import io
import sys

KEEP = ["Product_Display_Name", "String_Id", "GUID", "Service_Plan_Name"]


def main() -> None:
    with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = [h.strip().replace(" ", "_") for h in rows[0]]
    at = [header.index(name) for name in KEEP]
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\n")
    out.writerow(KEEP)
    for row in rows[1:]:
        if any(cell.strip() for cell in row):
            out.writerow([row[i].strip() for i in at])
    with open("data/skus.csv.gz", "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0, filename="") as z:
            z.write(text.getvalue().encode("utf-8"))


if __name__ == "__main__":
    main()

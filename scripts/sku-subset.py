#!/usr/bin/env python3
"""Regenerate data/skus.csv, the built-in SKU subset, from Microsoft's
"Product names and service plan identifiers for licensing" CSV.

usage: scripts/sku-subset.py PATH/TO/product-names-and-service-plan-identifiers.csv > data/skus.csv
"""
import csv
import sys

# Every SKU the default retirement catalog names, plus products that commonly sit
# next to them in license exports (so the bundled fixtures resolve offline).
STRING_IDS = """
ENTERPRISEWITHSCAL MCOIMP MCOSTANDARD MCOEV
STANDARDPACK ENTERPRISEPACK ENTERPRISEPREMIUM SPE_E3 SPE_E5
O365_BUSINESS_ESSENTIALS O365_BUSINESS_PREMIUM SPB SPE_F1 DESKLESSPACK M365_F1_COMM
M365EDU_A1 M365EDU_A3_FACULTY M365EDU_A3_STUDENT M365EDU_A5_FACULTY M365EDU_A5_STUDENT
STANDARDWOFFPACK_FACULTY STANDARDWOFFPACK_STUDENT ENTERPRISEPACKPLUS_FACULTY
ENTERPRISEPACKPLUS_STUDENT ENTERPRISEPREMIUM_FACULTY ENTERPRISEPREMIUM_STUDENT
FLOW_FREE EMSPREMIUM EMS TEAMS_EXPLORATORY VISIOCLIENT PROJECTPREMIUM
""".split()

def main() -> None:
    with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow([h.replace(" ", "") for h in rows[0]])
    for row in rows[1:]:
        row = [c.strip() for c in row]
        if row[1] in STRING_IDS:
            out.writerow(row)

if __name__ == "__main__":
    main()

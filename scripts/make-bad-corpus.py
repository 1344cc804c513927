#!/usr/bin/env python3
"""Writes fixtures/bad/: hostile and broken inputs, each checked by tests/cli/bad_inputs.rs.

Run from the repository root: python3 scripts/make-bad-corpus.py. The files are committed; this
script is how they were made (the spreadsheets are written XML part by XML part, so each one
holds exactly the defect it is named for).
"""
import os
import struct
import zipfile

OUT = "fixtures/bad"
UPN_HEADER = "UserPrincipalName,DisplayName,Licenses\n"


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def xlsx(name, sheet_xml, styles=None, patch=None, extra=None):
    """A minimal workbook with one sheet `Sheet1` holding `sheet_xml` (the <sheetData> body)."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": styles
        or '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + sheet_xml
        + "</sheetData></worksheet>",
    }
    parts.update(extra or {})
    path = os.path.join(OUT, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part, text in parts.items():
            # A fixed time stamp: the same script writes the same bytes.
            info = zipfile.ZipInfo(part, date_time=(2026, 1, 1, 0, 0, 0))
            z.writestr(info, text, compress_type=zipfile.ZIP_DEFLATED)
    if patch:
        patch(path)


def s(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def row(n, cells):
    return f'<row r="{n}">' + "".join(cells) + "</row>"


def license_sheet(*rows):
    header = row(1, [s("A1", "UserPrincipalName"), s("B1", "DisplayName"), s("C1", "Licenses")])
    return header + "".join(rows)


def ods(name, table_xml):
    """A minimal OpenDocument spreadsheet with one table `Sheet1` holding `table_xml` (its rows)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        + table_xml
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(os.path.join(OUT, name), "w") as z:
        stamp = (2026, 1, 1, 0, 0, 0)
        z.writestr(zipfile.ZipInfo("mimetype", date_time=stamp), "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr(zipfile.ZipInfo("META-INF/manifest.xml", date_time=stamp), manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("content.xml", date_time=stamp), content, compress_type=zipfile.ZIP_DEFLATED)


def ods_cell(text, repeat=1):
    attr = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{attr}><text:p>{text}</text:p></table:table-cell>'


def ods_row(cells, repeat=1):
    attr = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{attr}>" + "".join(cells) + "</table:table-row>"


ODS_HEADER = ods_row([ods_cell("UserPrincipalName"), ods_cell("DisplayName"), ods_cell("Licenses")])


def declare_size(member, size):
    """Rewrites the uncompressed size `member` declares, in its local and central headers."""

    # (signature, offset of the name length, offset of the name, offset of the size field)
    headers = [(b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)]

    def patch(path):
        data = bytearray(open(path, "rb").read())
        name = member.encode()
        for signature, length_at, name_at, size_at in headers:
            at = data.find(signature)
            while at >= 0:
                n = struct.unpack_from("<H", data, at + length_at)[0]
                if data[at + name_at : at + name_at + n] == name:
                    struct.pack_into("<I", data, at + size_at, size)
                at = data.find(signature, at + 4)
        open(path, "wb").write(bytes(data))

    return patch


def main():
    os.makedirs(OUT, exist_ok=True)
    # CSV text
    write("unclosed-quote.csv", UPN_HEADER + 'a@contoso.com,A,"SPE_E3\nb@contoso.com,B,SPE_E3\nc@contoso.com,C,SPE_E3\n')
    text = UPN_HEADER + "a@contoso.com,Zoë,SPE_E3\n"
    write("utf16-cut-short.csv", b"\xff\xfe" + text.encode("utf-16-le") + b"X")
    write("utf16-without-bom.csv", text.encode("utf-16-le"))
    write("header-17000-columns.csv", ",".join(f"c{i}" for i in range(17000)) + "\n1\n")
    write("values-beyond-header.csv", UPN_HEADER + "a@contoso.com,A,SPE_E3,2026-01-01\nb@contoso.com,B,SPE_E3,,,\n")
    write("terminal-escapes.csv", "User\x1b[2J\x1b[31mPrincipalName,DisplayName,Licenses\nx@contoso.com,A,SPE_E3\n")
    write("formula-cells.csv", UPN_HEADER + "\"=HYPERLINK(\"\"http://evil.example\"\")@contoso.com\",+cmd,Kaizala Pro\n@x@contoso.com,-2+3,Kaizala Pro\nt@contoso.com,\"\tTab\",Kaizala Pro\n")
    write("not-utf8-midway.csv", UPN_HEADER.encode() + b"a@contoso.com,Zo\xeb,SPE_E3\nb@contoso.com,B,SPE_E3\n")
    write("random-bytes.xlsx", bytes((i * 7919 + 13) % 251 for i in range(4000)))
    write("empty.csv", "")
    # Tables about licenses that are not per-user license exports.
    write("tenant-sku-counts.csv", "SkuPartNumber,SkuId,ConsumedUnits,PrepaidUnits Enabled,PrepaidUnits Suspended\nSPE_E3,05e9a617-0261-4cee-bb44-138d3ef5d965,42,50,0\nKAIZALA_STANDALONE,0898bdbb-73b0-471a-81e5-20f1fe4dd66e,3,5,0\n")
    write("cipp-license-report.csv", "Tenant,License,CountUsed,CountAvailable,TotalLicenses,TermInfo\ncontoso.onmicrosoft.com,Microsoft 365 E3,42,8,50,\ncontoso.onmicrosoft.com,Microsoft Kaizala Pro,3,2,5,\n")
    write("licensedetails-without-user.csv", "Id,SkuId,SkuPartNumber,ServicePlans\nF8zyzaKuz0O-OeUAdB3H3xdpzyXhPsRCmCRD5T1sRvQ,05e9a617-0261-4cee-bb44-138d3ef5d965,SPE_E3,System.Object[]\n")
    write("activation-report.csv", "User Principal Name,Display Name,Product Type,Last Activated Date,Windows,Mac,Windows 10 Mobile,iOS,Android\nAdeleV@contoso.com,Adele Vance,MICROSOFT 365 APPS FOR ENTERPRISE,2026-11-01,2,0,0,1,0\n")
    # Spreadsheets
    xlsx("far-cell.xlsx", license_sheet(row(2, [s("A2", "a@contoso.com"), s("C2", "SPE_E3")]), row(1048576, [s("XFD1048576", "far")])))
    xlsx("cell-beyond-excel.xlsx", license_sheet(row(2, [s("A2", "a@contoso.com"), s("XFE2", "x")])))
    xlsx("malformed-cell-reference.xlsx", license_sheet(row(2, [s("ZZZZZZZZZZ2", "x")])))
    xlsx(
        "date-serials-out-of-range.xlsx",
        row(1, [s("A1", "CustomerName"), s("B1", "SubscriptionId"), s("C1", "OfferName"), s("D1", "CommitmentEndDate")])
        + row(2, [s("A2", "Contoso Ltd"), s("B2", "sub-1"), s("C2", "Kaizala Pro"), '<c r="D2" s="1"><v>-1000000000000</v></c>'])
        + row(3, [s("A3", "Contoso Ltd"), s("B3", "sub-2"), s("C3", "Kaizala Pro"), '<c r="D3" s="1"><v>1e300</v></c>']),
    )
    xlsx("formula-error-cells.xlsx", license_sheet(row(2, ['<c r="A2" t="e"><v>#N/A</v></c>', s("C2", "SPE_E3")])))
    # Declares 3 GiB for its sheet: refused before anything is inflated.
    xlsx("zip-bomb-declared.xlsx", license_sheet(), patch=declare_size("xl/worksheets/sheet1.xml", 3 << 30))
    # Declares 200 bytes for a sheet that inflates to 2 MB: the zip reader stops at 200.
    xlsx(
        "zip-bomb-understated.xlsx",
        license_sheet(*[row(i, [s(f"A{i}", "a" * 1000)]) for i in range(2, 2000)]),
        patch=declare_size("xl/worksheets/sheet1.xml", 200),
    )

    # A million rows declared by one repeated row: refused before calamine builds them.
    ods("ods-rows-repeated.ods", ODS_HEADER + ods_row([ods_cell("a@contoso.com"), ods_cell("A"), ods_cell("SPE_E3")], repeat=1048575))
    # 20,000 rows, each one cell repeated across every column.
    ods("ods-columns-repeated.ods", ODS_HEADER + ods_row([ods_cell("x", repeat=16384)]) * 20000)
    # 4.8 million cells that compress a thousandfold: over the cell budget of a 30 KB file.
    xlsx("xlsx-cells-bomb.xlsx", license_sheet(*["<row>" + "<c><v>1</v></c>" * 16000 + "</row>" for _ in range(300)]))
    # A header across all 16,384 columns over 20,000 rows of one cell: a grid of 327 million.
    xlsx(
        "xlsx-grid-bomb.xlsx",
        row(1, [f'<c t="inlineStr"><is><t>c{i}</t></is></c>' for i in range(16384)])
        + "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(2, 20002)),
    )
    write("zero-bytes.xlsx", b"")
    with open(os.path.join(OUT, "formula-error-cells.xlsx"), "rb") as f:
        whole = f.read()
    write("truncated.xlsx", whole[: len(whole) // 2])
    xlsx(
        "doctype.xlsx",
        license_sheet(),
        extra={"xl/workbook.xml": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="&lol2;" sheetId="1" r:id="rId1"/></sheets></workbook>'},
    )
    # An OLE compound file holding an `EncryptedPackage` stream, as Excel writes a protected
    # workbook (the header and the stream's name; nothing else is read).
    write("encrypted.xlsx", bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(1024))
    # Two cells at A1 and IV65536: calamine would build the 16.7 million between them
    # (`pip install xlwt`: the one writer of the old format; the file is committed).
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Users")
    sheet.write(0, 0, "UserPrincipalName")
    sheet.write(0, 1, "Licenses")
    sheet.write(65535, 255, "far")
    book.save(os.path.join(OUT, "xls-far-cells.xls"))
    write("web-page.xls", "<html><head><title>Users</title></head><body><table><tr><td>UserPrincipalName</td></tr></table></body></html>\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes a large synthetic input set for benchmarks: N customers, each with a few
subscriptions and U users in an admin-center style license export.

usage: scripts/make-bench-input.py OUT_DIR [CUSTOMERS] [USERS_PER_CUSTOMER]
"""
import csv
import os
import sys

out = sys.argv[1]
customers = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
users = int(sys.argv[3]) if len(sys.argv) > 3 else 100
os.makedirs(os.path.join(out, "licenses"), exist_ok=True)
offers = ["Kaizala Pro", "Office 365 Enterprise E4", "Skype for Business Online (Plan 1)", "Office 365 E3"]
statuses = ["Active", "Active", "Suspended", "Expired"]
licenses = ["Kaizala Pro+Microsoft Power Automate Free", "Office 365 E4", "Office 365 E1+Kaizala Pro",
            "Skype for Business Online (Plan 1)", "Office 365 E3", "Unlicensed",
            "Enterprise Mobility + Security E5+Office 365 E4"]
with open(os.path.join(out, "subscriptions.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["CustomerId", "CustomerName", "CustomerDomainName", "SubscriptionId", "OfferName",
                "Quantity", "Status", "AutoRenewEnabled", "CommitmentEndDate", "SuspendedOn"])
    for c in range(customers):
        for s, offer in enumerate(offers):
            status = statuses[(c + s) % 4]
            w.writerow([f"00000000-0000-4000-8000-{c:012d}", f"Customer {c:05d}", f"c{c}.example.com",
                        f"{c:08d}-{s:04d}-4000-8000-000000000000", offer, users, status,
                        "False" if s != 3 else "True", f"{1 + (c + s) % 12}/15/2027 12:00:00 AM",
                        "10/1/2026 12:00:00 AM" if status == "Suspended" else ""])
with open(os.path.join(out, "licenses", "users.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Display name", "User principal name", "Block credential", "Licenses"])
    for c in range(customers):
        for u in range(users):
            w.writerow([f"User {u}", f"user{u}@c{c}.example.com", "True" if u % 50 == 7 else "False",
                        licenses[(c + u) % len(licenses)]])

#!/usr/bin/env python3
"""Generate the sample source data of the example mesh (deterministic).

    python3 scripts/gen_sample_data.py [REPO_ROOT]

Writes four CSV files, each described by a source contract:

    domains/customer/sources/customers.csv   customer.customers_raw  (~300 rows, real-looking PII)
    domains/orders/sources/orders.csv        orders.orders_raw       (~600 rows)
    domains/orders/sources/shipments.csv     orders.shipments_raw    (~500 rows)
    domains/product/sources/products.csv     product.products_raw    (~200 rows)

Everything derives from `random.Random(42)` and the fixed reference date 2026-06-30 (no
clock, no environment), so two runs give byte-identical files. Timestamps are ISO-8601 UTC
(`2026-05-01T10:00:00Z`), dates `YYYY-MM-DD`, an empty field is a null.

On purpose, so that governance has something to act on:
- some rows are older than the contracts' retention (customers signed up before 2021-06-30,
  orders placed before 2024-06-30), so a retention purge removes them;
- a few nulls and invalid values (emails without '@', country `XX`, order status `UNKNOWN`,
  category `N/A`, a duplicated product row, a few amounts that do not equal quantity x
  price), all kept below the thresholds of the contracts' quality rules, so the rules
  measure something non-zero and still pass.
"""

import csv
import datetime as dt
import io
import os
import random
import sys

REF = dt.datetime(2026, 6, 30, 0, 0, 0)  # the fixed "today" of the sample data (UTC)
SEED = 42

FIRST_NAMES = [
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Leon", "Sofia", "Hugo",
    "Chloe", "Matteo", "Lea", "Jonas", "Ines", "Finn", "Clara", "Elias", "Nora", "Louis",
    "Alice", "Pablo", "Zoe", "Arthur", "Maya", "Oskar", "Julia", "Milan", "Eva", "Tomasz",
    "Amira", "Yusuf", "Hanna", "Luca", "Freya", "Mateo", "Aisha", "Sven", "Camille", "Nils",
]
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Muller", "Schmidt", "Schneider", "Rossi", "Russo", "Garcia",
    "Fernandez", "Lopez", "de Vries", "Jansen", "Bakker", "Smith", "Jones", "Taylor", "Brown",
    "Nowak", "Kowalski", "Andersson", "Johansson", "Peeters", "Janssens", "Moreau", "Laurent",
    "Fischer", "Weber", "Romano", "Costa", "Novak", "Horvat", "Nielsen", "Hansen", "Silva",
]
EMAIL_DOMAINS = ["example.com", "example.net", "example.org", "mail.example"]
# country -> (weight, calling code, national number length)
COUNTRIES = {
    "FR": (22, "33", 9), "DE": (20, "49", 10), "NL": (12, "31", 9), "ES": (10, "34", 9),
    "IT": (9, "39", 10), "GB": (8, "44", 10), "BE": (7, "32", 9), "SE": (5, "46", 9),
    "PL": (4, "48", 9), "US": (3, "1", 10),
}
CATEGORIES = {
    # category -> (price range, product nouns)
    "apparel": ((9.0, 120.0), ["T-Shirt", "Hoodie", "Jacket", "Dress", "Scarf", "Jeans"]),
    "footwear": ((29.0, 220.0), ["Sneakers", "Boots", "Sandals", "Loafers"]),
    "home": ((12.0, 400.0), ["Lamp", "Cushion", "Rug", "Blanket", "Mirror", "Vase"]),
    "kitchen": ((6.0, 300.0), ["Knife Set", "Pan", "Kettle", "Mug", "Blender", "Cutting Board"]),
    "electronics": ((15.0, 499.0), ["Headphones", "Speaker", "Charger", "Keyboard", "Webcam"]),
    "beauty": ((4.99, 80.0), ["Face Cream", "Shampoo", "Lip Balm", "Perfume"]),
    "sports": ((8.0, 350.0), ["Yoga Mat", "Dumbbell", "Racket", "Water Bottle", "Bike Helmet"]),
    "toys": ((5.0, 90.0), ["Puzzle", "Building Blocks", "Plush Bear", "Board Game"]),
    "books": ((6.0, 45.0), ["Cookbook", "Novel", "Travel Guide", "Atlas"]),
    "garden": ((7.0, 260.0), ["Planter", "Hose", "Garden Chair", "Pruner"]),
}
ADJECTIVES = ["Classic", "Organic", "Urban", "Compact", "Deluxe", "Eco", "Nordic", "Vintage",
              "Smart", "Soft", "Bold", "Essential", "Premium", "Travel", "Everyday"]
CARRIERS = ["DHL", "UPS", "DPD", "PostNL", "Colissimo"]
# order status -> weight, by the age of the order
STATUSES_RECENT = {"delivered": 50, "shipped": 30, "returned": 3, "paid": 6, "cancelled": 11}  # 4-14 days
STATUSES_OLD = {"delivered": 72, "shipped": 2, "returned": 8, "paid": 1, "placed": 2, "cancelled": 15}


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def rand_time(rng, start, end):
    """A whole second uniformly in [start, end)."""
    span = int((end - start).total_seconds())
    return start + dt.timedelta(seconds=rng.randrange(span))


def weighted(rng, table):
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def gen_products(rng):
    rows = []
    categories = list(CATEGORIES)
    for i in range(1, 201):
        category = categories[(i * 7 + rng.randrange(3)) % len(categories)]
        (lo, hi), nouns = CATEGORIES[category]
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(nouns)}"
        price = round(rng.uniform(lo, hi), 2)
        price = round(int(price) + 0.99, 2) if rng.random() < 0.6 else price
        created = rand_time(rng, dt.datetime(2018, 1, 1), REF - dt.timedelta(days=3))
        rows.append({"product_id": f"P{i:04d}", "name": name, "category": category,
                     "price": f"{price:.2f}", "created_ts": ts(created)})
    # dirt: 3 'N/A' and 2 empty categories (missingValues 2.5%), 1 missing price (0.5%)
    for i in rng.sample(range(len(rows)), 5)[:3]:
        rows[i]["category"] = "N/A"
    for i in rng.sample(range(len(rows)), 2):
        rows[i]["category"] = ""
    rows[rng.randrange(len(rows))]["price"] = ""
    # one product exported twice by the source system (duplicateValues 0.5%; the catalog dedupes)
    dup = dict(rows[rng.randrange(len(rows))])
    rows.insert(rng.randrange(len(rows)), dup)
    return rows


def gen_customers(rng):
    rows = []
    used_emails = set()
    country_keys = list(COUNTRIES)
    for i in range(1, 301):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower().replace(" ", "")
        email = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
        n = 1
        while email in used_emails:
            n += 1
            email = f"{local}{n}@{email.split('@')[1]}"
        used_emails.add(email)
        country = rng.choices(country_keys, weights=[COUNTRIES[c][0] for c in country_keys])[0]
        _, cc, digits = COUNTRIES[country]
        phone = "+" + cc + str(rng.randrange(6, 8)) + "".join(str(rng.randrange(10)) for _ in range(digits - 1))
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange((dt.date(2006, 12, 31) - dt.date(1950, 1, 1)).days))
        # ~15% of the customers signed up more than 5 years ago (the retention of customers)
        if rng.random() < 0.15:
            signup = rand_time(rng, dt.datetime(2019, 1, 1), dt.datetime(2021, 6, 30))
        else:
            signup = rand_time(rng, dt.datetime(2021, 6, 30), REF - dt.timedelta(hours=2))
        rows.append({"customer_id": f"C{i:05d}", "first_name": first, "last_name": last,
                     "email": email, "phone": phone, "birth_date": birth.isoformat(),
                     "country": country, "signup_ts": signup})
    # keep customers ordered by signup like an export of the CRM, then number them
    rows.sort(key=lambda r: r["signup_ts"])
    for i, r in enumerate(rows, 1):
        r["customer_id"] = f"C{i:05d}"
    # dirt: 3 missing emails (1%), 2 invalid emails (0.67%), 11 missing phones (3.7%),
    # 5 missing birth dates (1.7%), 2 invalid countries (0.67%)
    picks = rng.sample(range(len(rows)), 23)
    for i in picks[0:3]:
        rows[i]["email"] = ""
    for i in picks[3:5]:
        rows[i]["email"] = rows[i]["email"].replace("@", ".at.")
    for i in picks[5:16]:
        rows[i]["phone"] = ""
    for i in picks[16:21]:
        rows[i]["birth_date"] = ""
    for i in picks[21:23]:
        rows[i]["country"] = "XX"
    return rows


def gen_orders(rng, customers, products):
    catalog = {}
    for p in products:
        catalog.setdefault(p["product_id"], p)
    product_ids = sorted(catalog)
    popularity = [1.0 / (1 + (k % 50)) ** 0.8 for k in range(len(product_ids))]
    rng.shuffle(popularity)
    cutoff = dt.datetime(2024, 6, 30)  # retention of order facts: 2 years before REF
    rows = []
    for _ in range(600):
        c = rng.choice(customers)
        signup = c["signup_ts"]
        start = max(signup, dt.datetime(2022, 1, 1))
        # ~88% of the orders fall within the last 2 years, the rest is older history
        # (when the customer was already there)
        if rng.random() < 0.88 or start >= cutoff:
            order_ts = rand_time(rng, max(start, cutoff) + dt.timedelta(hours=1), REF - dt.timedelta(minutes=30))
        else:
            order_ts = rand_time(rng, start + dt.timedelta(hours=1), cutoff)
        pid = rng.choices(product_ids, weights=popularity)[0]
        price = catalog[pid]["price"]
        unit_price = float(price) if price else round(rng.uniform(5, 50), 2)
        if rng.random() < 0.12:
            unit_price = round(unit_price * 0.9, 2)  # promotion
        quantity = rng.choices([1, 2, 3, 4, 5], weights=[60, 24, 9, 4, 3])[0]
        age = REF - order_ts
        if age < dt.timedelta(days=1):
            status = rng.choices(["placed", "paid", "cancelled"], weights=[5, 4, 1])[0]
        elif age < dt.timedelta(days=4):
            status = rng.choices(["paid", "shipped", "cancelled"], weights=[3, 6, 1])[0]
        elif age < dt.timedelta(days=14):
            status = weighted(rng, STATUSES_RECENT)
        else:
            status = weighted(rng, STATUSES_OLD)
        rows.append({"order_id": "", "customer_id": c["customer_id"], "product_id": pid,
                     "quantity": str(quantity), "unit_price": f"{unit_price:.2f}",
                     "amount": f"{quantity * unit_price:.2f}", "status": status, "order_ts": order_ts})
    rows.sort(key=lambda r: (r["order_ts"], r["customer_id"]))
    for i, r in enumerate(rows, 1):
        r["order_id"] = f"O{i:06d}"
    # dirt: 3 unknown statuses (0.5%), 4 missing amounts (0.67%), 3 amounts that do not
    # match quantity x unit price (legacy rounding bug)
    picks = rng.sample(range(len(rows)), 10)
    for i in picks[0:3]:
        rows[i]["status"] = "UNKNOWN"
    for i in picks[3:7]:
        rows[i]["amount"] = ""
    for i in picks[7:10]:
        rows[i]["amount"] = f"{float(rows[i]['amount']) + 1:.2f}"
    return rows


def gen_shipments(rng, orders):
    rows = []
    for o in orders:
        if o["status"] not in ("shipped", "delivered", "returned"):
            continue
        order_ts = o["order_ts"]
        parcels = 2 if rng.random() < 0.05 else 1
        for _ in range(parcels):
            shipped = order_ts + dt.timedelta(minutes=int(rng.triangular(2 * 60, 72 * 60, 12 * 60)))
            if shipped >= REF:
                shipped = order_ts + dt.timedelta(minutes=rng.randrange(30, 120))
            delivered = shipped + dt.timedelta(minutes=int(rng.triangular(12 * 60, 160 * 60, 30 * 60)))
            in_transit = o["status"] == "shipped" or delivered >= REF
            carrier = rng.choice(CARRIERS)
            rows.append({"shipment_id": "", "order_id": o["order_id"], "carrier": carrier,
                         "shipped_ts": shipped, "delivered_ts": None if in_transit else delivered})
    rows.sort(key=lambda r: (r["shipped_ts"], r["order_id"]))
    for i, r in enumerate(rows, 1):
        r["shipment_id"] = f"S{i:06d}"
    # dirt: 3 shipments whose carrier was not recorded (~0.6%)
    for i in rng.sample(range(len(rows)), 3):
        rows[i]["carrier"] = ""
    return rows


def render(rows, columns):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        out = []
        for c in columns:
            v = r[c]
            if v is None:
                v = ""
            elif isinstance(v, dt.datetime):
                v = ts(v)
            out.append(v)
        w.writerow(out)
    return buf.getvalue()


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    print(f"wrote {rel} ({text.count(chr(10)) - 1} rows)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(here)
    rng = random.Random(SEED)
    products = gen_products(rng)
    customers = gen_customers(rng)
    orders = gen_orders(rng, customers, products)
    shipments = gen_shipments(rng, orders)
    write(root, "domains/product/sources/products.csv",
          render(products, ["product_id", "name", "category", "price", "created_ts"]))
    write(root, "domains/customer/sources/customers.csv",
          render(customers, ["customer_id", "first_name", "last_name", "email", "phone",
                             "birth_date", "country", "signup_ts"]))
    write(root, "domains/orders/sources/orders.csv",
          render(orders, ["order_id", "customer_id", "product_id", "quantity", "unit_price",
                          "amount", "status", "order_ts"]))
    write(root, "domains/orders/sources/shipments.csv",
          render(shipments, ["shipment_id", "order_id", "carrier", "shipped_ts", "delivered_ts"]))


if __name__ == "__main__":
    main()

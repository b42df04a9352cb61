#!/usr/bin/env python3
"""Uses other people's PagerDuty clients against pdrs-mock, as their documentation shows.

Not part of the test command (nothing in CI needs Python). python-pagerduty insists on an https
base URL, so the mock sits behind a TLS proxy (nginx with a self-signed certificate, proxying
https://localhost:8943 to the mock) and writes its links with that base:

    pip install --target /tmp/pylib pagerduty pdpyras
    cargo run --features cli --bin pdrs-mock -- --port 8931 --incidents 12000 \
        --public-url https://localhost:8943 &
    SSL_CERT_FILE=cert.pem REQUESTS_CA_BUNDLE=cert.pem PYTHONPATH=/tmp/pylib \
        python3 scripts/other-clients.py https://localhost:8943

Each check prints `ok` or what went wrong; the exit status is the number of failures.
"""

import datetime
import sys
import warnings

warnings.filterwarnings("ignore")
import pagerduty  # python-pagerduty
import pdpyras
import requests

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8931"
failures = 0


def check(name, fn):
    global failures
    try:
        detail = fn()
        print(f"ok    {name}: {detail}")
    except Exception as e:  # report and go on
        failures += 1
        print(f"FAIL  {name}: {type(e).__name__}: {e}")


def python_pagerduty():
    client = pagerduty.RestApiV2Client("mock-token", default_from="user0@example.com")
    client.url = URL

    def offset_paging():
        users = list(client.iter_all("users"))
        ids = {u["id"] for u in users}
        assert len(users) == len(ids) > 25, (len(users), len(ids))
        return f"{len(users)} users, all distinct"

    def find():
        user = client.find("users", "user3@example.com", attribute="email")
        assert user and user["email"] == "user3@example.com", user
        return user["id"]

    def persist():
        first = client.persist("teams", "name", {"name": "Persisted", "description": "x"})
        again = client.persist("teams", "name", {"name": "Persisted", "description": "x"})
        assert first["id"] == again["id"], (first, again)
        return f"{first['id']} created once"

    def rget_rput():
        incident = client.rget("/incidents/PI00000")
        changed = client.rput(incident, json={"type": "incident_reference", "status": "acknowledged"})
        assert changed["status"] == "acknowledged", changed
        return f"{incident['id']} {incident['status']} -> {changed['status']}"

    def cursor_iterator():
        # The mock's own state endpoint (not PagerDuty's API): plain requests.
        auth = {"Authorization": "Token token=mock-token"}
        state = requests.get(f"{URL}/_mock/state", headers=auth).json()
        now = datetime.datetime.now(datetime.timezone.utc)
        state["collections"]["/audit/records"] = [
            {"id": f"AR{i}", "execution_time": (now - datetime.timedelta(minutes=i)).isoformat()} for i in range(60)
        ]
        requests.put(f"{URL}/_mock/state", headers=auth, json=state).raise_for_status()
        records = list(client.iter_cursor("/audit/records", page_size=7))
        assert len(records) == 60 == len({r["id"] for r in records}), len(records)
        return "60 audit records over 9 pages"

    def history_bisection():
        until = datetime.datetime.now(datetime.timezone.utc)
        since = until - datetime.timedelta(days=10)
        incidents = list(client.iter_history("/incidents", since, until))
        ids = {i["id"] for i in incidents}
        assert len(incidents) == len(ids) >= 12000, (len(incidents), len(ids))
        return f"{len(incidents)} incidents past the 10,000 cap"

    def analytics_iterator():
        start = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=30)).isoformat()
        rows = list(client.iter_analytics_raw_incidents({"created_at_start": start, "urgency": "high"}))
        created = [r["created_at"] for r in rows]
        assert rows and created == sorted(created, reverse=True), len(rows)
        assert len(rows) == len({r["id"] for r in rows})
        return f"{len(rows)} high-urgency incidents, newest first, then the end"

    def events():
        events = pagerduty.EventsApiV2Client("R0UT1NGKEY0000000000000000000000")
        events.url = URL
        key = events.trigger("disk full", "db01", dedup_key="other-clients-1")
        opened = [i for i in client.iter_all("incidents", params={"incident_key": key})]
        assert len(opened) == 1 and opened[0]["status"] == "triggered", opened
        events.acknowledge(key)
        assert client.rget(f"/incidents/{opened[0]['id']}")["status"] == "acknowledged"
        events.resolve(key)
        assert client.rget(f"/incidents/{opened[0]['id']}")["status"] == "resolved"
        return f"{key}: triggered, acknowledged, resolved"

    for name, fn in [
        ("offset paging (iter_all)", offset_paging),
        ("find", find),
        ("persist", persist),
        ("rget/rput", rget_rput),
        ("cursor iterator (iter_cursor)", cursor_iterator),
        ("history bisection (iter_history)", history_bisection),
        ("analytics iterator", analytics_iterator),
        ("Events API v2", events),
    ]:
        check(f"python-pagerduty {pagerduty.__version__}: {name}", fn)


def pdpyras_session():
    session = pdpyras.APISession("mock-token", default_from="user0@example.com")
    session.url = URL

    def iter_all_with_total():
        users = list(session.iter_all("users", total=True))
        assert len(users) == len({u["id"] for u in users}) > 25
        return f"{len(users)} users"

    def find_persist():
        user = session.find("users", "user4@example.com", attribute="email")
        team = session.persist("teams", "name", {"name": "Pdpyras"})
        again = session.persist("teams", "name", {"name": "Pdpyras"})
        assert user and team["id"] == again["id"]
        return f"{user['id']}, {team['id']}"

    def events():
        events = pdpyras.EventsAPISession("R0UT1NGKEY0000000000000000000001")
        events.url = URL
        key = events.trigger("cpu high", "web01", dedup_key="other-clients-2")
        events.resolve(key)
        incident = session.find("incidents", key, attribute="incident_key", params={"incident_key": key})
        assert incident and incident["status"] == "resolved", incident
        return f"{key} resolved"

    for name, fn in [("iter_all total=True", iter_all_with_total), ("find/persist", find_persist), ("Events", events)]:
        check(f"pdpyras {pdpyras.__version__}: {name}", fn)


python_pagerduty()
pdpyras_session()
sys.exit(failures)

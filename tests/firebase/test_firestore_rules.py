"""firebase/firestore.rules evaluated by Google's emulator: every allow and every deny, as a phone user would meet them.

The emulator takes unsigned ID tokens (alg: none) on its REST API, so each request runs as a chosen user.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import pytest

from tests.firebase.conftest import PROJECT, unique_id


def id_token(uid: str) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {"sub": uid, "user_id": uid, "aud": PROJECT, "iss": f"https://securetoken.google.com/{PROJECT}",
              "iat": now, "exp": now + 3600, "auth_time": now}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def fields(data: dict[str, Any]) -> dict[str, Any]:
    def value(v: Any) -> dict[str, Any]:
        if isinstance(v, str):
            return {"stringValue": v}
        if isinstance(v, list):
            return {"arrayValue": {"values": [value(x) for x in v]}}
        if isinstance(v, dict):
            return {"mapValue": {"fields": {k: value(x) for k, x in v.items()}}}
        raise TypeError(v)

    return {"fields": {k: value(v) for k, v in data.items()}}


class Client:
    def __init__(self, host: str, uid: str | None) -> None:
        self.base = f"http://{host}/v1/projects/{PROJECT}/databases/(default)/documents"
        self.headers = {"Authorization": f"Bearer {id_token(uid)}"} if uid else {}

    def get(self, doc: str) -> int:
        return httpx.get(f"{self.base}/{doc}", headers=self.headers).status_code

    def create(self, collection: str, doc_id: str, data: dict[str, Any]) -> int:
        return httpx.post(f"{self.base}/{collection}", params={"documentId": doc_id}, json=fields(data),
                          headers=self.headers).status_code

    def update(self, doc: str, data: dict[str, Any]) -> int:
        params = [("updateMask.fieldPaths", k) for k in data]
        return httpx.patch(f"{self.base}/{doc}", params=params, json=fields(data), headers=self.headers).status_code

    def delete(self, doc: str) -> int:
        return httpx.delete(f"{self.base}/{doc}", headers=self.headers).status_code

    def query_own(self, uid: str) -> int:
        body = {"structuredQuery": {"from": [{"collectionId": "scripts"}], "where": {"fieldFilter": {
            "field": {"fieldPath": "userId"}, "op": "EQUAL", "value": {"stringValue": uid}}}}}
        return httpx.post(f"{self.base}:runQuery", json=body, headers=self.headers).status_code

    def query_all(self) -> int:
        body = {"structuredQuery": {"from": [{"collectionId": "scripts"}]}}
        return httpx.post(f"{self.base}:runQuery", json=body, headers=self.headers).status_code


SCRIPT = {"title": "Mine", "userId": "alice", "scenes": [{"title": "one"}]}


@pytest.fixture
def seeded(admin, emulators) -> tuple[str, dict[str, Client]]:
    script_id = unique_id("rules")
    admin.seed(script_id, dict(SCRIPT))
    host = emulators.firestore.host
    return f"scripts/{script_id}", {"alice": Client(host, "alice"), "bob": Client(host, "bob"), "anon": Client(host, None)}


def test_only_the_owner_reads(seeded) -> None:
    doc, c = seeded
    assert c["alice"].get(doc) == 200
    assert c["bob"].get(doc) == 403
    assert c["anon"].get(doc) == 403


def test_queries_only_over_ones_own_scripts(seeded) -> None:
    _, c = seeded
    assert c["alice"].query_own("alice") == 200
    assert c["bob"].query_own("alice") == 403
    assert c["alice"].query_all() == 403
    assert c["anon"].query_own("alice") == 403


def test_create_only_for_oneself(emulators) -> None:
    c = {u: Client(emulators.firestore.host, u) for u in ("alice", "bob")}
    anon = Client(emulators.firestore.host, None)
    assert c["alice"].create("scripts", unique_id(), SCRIPT) == 200
    assert c["bob"].create("scripts", unique_id(), SCRIPT) == 403  # a script for someone else
    assert anon.create("scripts", unique_id(), SCRIPT) == 403
    assert c["alice"].create("scripts", unique_id(), {"title": "no scenes", "userId": "alice"}) == 403
    assert c["alice"].create("scripts", unique_id(), {"title": "x", "scenes": [{"title": "a"}]}) == 403  # no owner


def test_update_by_the_owner_only_and_never_a_takeover(seeded, admin) -> None:
    doc, c = seeded
    assert c["alice"].update(doc, {"title": "Renamed"}) == 200
    assert c["alice"].update(doc, {"scenes": [{"title": "one", "videoStatus": "notStarted"}]}) == 200
    assert c["alice"].update(doc, {"userId": "bob"}) == 403  # giving it away / taking it over
    assert c["bob"].update(doc, {"userId": "bob"}) == 403
    assert c["bob"].update(doc, {"title": "Mine now"}) == 403
    assert c["anon"].update(doc, {"title": "anon"}) == 403
    assert c["alice"].update(doc, {"scenes": "not a list"}) == 403
    assert admin.doc(doc.split("/")[1])["title"] == "Renamed"


def test_delete_by_the_owner_only(seeded, admin) -> None:
    doc, c = seeded
    assert c["bob"].delete(doc) == 403
    assert c["anon"].delete(doc) == 403
    assert admin.doc(doc.split("/")[1])
    assert c["alice"].delete(doc) == 200
    assert admin.doc(doc.split("/")[1]) == {}


def test_everything_else_is_closed(emulators) -> None:
    alice = Client(emulators.firestore.host, "alice")
    assert alice.create("users", "alice", {"name": "Alice"}) == 403
    assert alice.get("users/alice") == 403


def test_a_scripts_takes_are_read_by_its_owner_and_written_by_no_client(seeded, admin) -> None:
    doc, c = seeded
    script_id = doc.split("/")[1]
    admin.db.collection("scripts").document(script_id).collection("takes").document("0-1").set({"sceneIndex": 0, "take": 1})
    take = f"{doc}/takes/0-1"
    assert c["alice"].get(take) == 200
    assert c["bob"].get(take) == 403 and c["anon"].get(take) == 403
    assert c["alice"].create(f"{doc}/takes", "0-2", {"videoUrl": "https://example.com/x.mp4"}) == 403
    assert c["alice"].update(take, {"videoUrl": "https://example.com/y.mp4"}) == 403
    assert c["alice"].delete(take) == 403


def test_the_boxes_claims_and_queue_commands_are_closed_even_to_the_owner(seeded) -> None:
    doc, c = seeded  # a phone must not stop a team's render, nor take a scene from a box
    for sub in ("claims", "commands", "boxes"):
        assert c["alice"].create(f"{doc}/{sub}", "x", {"verb": "drain", "by": "a-phone"}) == 403
        assert c["alice"].get(f"{doc}/{sub}/x") == 403

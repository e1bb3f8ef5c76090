"""Call the local Salesforce's REST data API as a persona, over real HTTP."""

import time
from dataclasses import dataclass, field
from typing import Any

import requests

from tests.standins.salesforce.flows import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    TIMEOUT,
    LocalSalesforce,
    Persona,
)

API_VERSION = "62.0"
BULK_TIMEOUT = 30


def password_token(local_salesforce: LocalSalesforce, persona: Persona) -> str:
    """An access token from the password grant: the quickest way to a session in tests."""
    answer = requests.post(
        local_salesforce.url("/services/oauth2/token"),
        data={
            "grant_type": "password",
            "client_id": CONSUMER_KEY,
            "client_secret": CONSUMER_SECRET,
            "username": persona.username,
            "password": persona.password,
        },
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


@dataclass
class DataApi:
    """The data API as one persona sees it."""

    local_salesforce: LocalSalesforce
    access_token: str
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.session.headers["Authorization"] = f"Bearer {self.access_token}"

    def url(self, path: str) -> str:
        if path.startswith("/"):
            return self.local_salesforce.url(path)
        return self.local_salesforce.url(f"/services/data/v{API_VERSION}/{path}")

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def query(self, soql: str, **kwargs: Any) -> requests.Response:
        return self.get("query", params={"q": soql}, **kwargs)

    def records(self, soql: str) -> list[dict[str, Any]]:
        """Every record of a query, following nextRecordsUrl."""
        answer = self.query(soql)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        found = list(body["records"])
        while not body["done"]:
            body = self.get(body["nextRecordsUrl"]).json()
            found.extend(body["records"])
        return found

    def create(self, sobject: str, **fields: Any) -> str:
        answer = self.post(f"sobjects/{sobject}", json=fields)
        assert answer.status_code == 201, answer.text
        record_id: str = answer.json()["id"]
        return record_id

    def wait_for_job(self, kind: str, job_id: str) -> dict[str, Any]:
        """Poll a Bulk API job until it has finished; its last job info."""
        deadline = time.monotonic() + BULK_TIMEOUT
        while time.monotonic() < deadline:
            info: dict[str, Any] = self.get(f"jobs/{kind}/{job_id}").json()
            if info["state"] in {"JobComplete", "Failed", "Aborted"}:
                return info
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not finish within {BULK_TIMEOUT} s")


def connect(local_salesforce: LocalSalesforce, persona: Persona) -> DataApi:
    return DataApi(local_salesforce, password_token(local_salesforce, persona))


def error_code(answer: requests.Response) -> str:
    """The errorCode of a Salesforce error answer (a one-element list)."""
    body = answer.json()
    assert isinstance(body, list), body
    assert len(body) == 1, body
    code: str = body[0]["errorCode"]
    return code

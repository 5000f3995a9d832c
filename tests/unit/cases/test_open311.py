"""Open311 GeoReport v2 conformance, checked with an independent client (PyPI ``georeport``)
against the real hub on uvicorn, and against the field sets of the spec's own examples.
"""

from __future__ import annotations

import httpx
import pytest
import xmltodict
from fastapi import FastAPI
from georeport import GeoReport

from cases import auth
from cases.db import session_scope

# Field names of the GeoReport v2 specification's examples (wiki.open311.org/GeoReport_v2).
SPEC_SERVICE = {"service_code", "service_name", "description", "metadata", "type", "keywords",
                "group"}  # fmt: skip
SPEC_DEFINITION = {"service_code", "attributes"}
SPEC_ATTRIBUTE = {"variable", "code", "datatype", "required", "datatype_description", "order",
                  "description"}  # fmt: skip
SPEC_DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
SPEC_REQUEST = {"service_request_id", "status", "status_notes", "service_name", "service_code",
                "description", "agency_responsible", "service_notice", "requested_datetime",
                "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                "lat", "long", "media_url"}  # fmt: skip
SPEC_POST_RESPONSE = {"service_request_id", "service_notice", "account_id"}
SPEC_ERROR = {"code", "description"}


@pytest.fixture
def base(hub_url: str) -> str:
    return f"{hub_url}/open311/v2"


@pytest.fixture
def api_key(hub: FastAPI, hub_url: str, clock) -> str:
    with session_scope(hub.state.cases.sessions) as session:
        return auth.create_api_key(session=session, name="city-12345", now=clock.now())


def _post(base: str, fmt: str = "json", **data: str) -> httpx.Response:
    return httpx.post(f"{base}/requests.{fmt}", data=data, timeout=10)


def test_services_with_independent_client_json_and_xml(base: str) -> None:
    for fmt in ("json", "xml"):
        services = GeoReport(base, output_format=fmt).get_service_list()
        assert len(services) >= 20
        codes = {s["service_code"] for s in services}
        assert {"leak", "elevator", "elderly_allowance"} <= codes
        for service in services:
            assert set(service) == SPEC_SERVICE
            assert service["type"] in ("realtime", "batch", "blackbox")
            assert service["metadata"] in (True, "true")
        leak = next(s for s in services if s["service_code"] == "leak")
        assert leak["service_name"] == "漏水渗水" and leak["group"] == "报事"


def test_service_definition_attributes_are_our_form_slots(base: str) -> None:
    for fmt in ("json", "xml"):
        definition = GeoReport(base, output_format=fmt).get_service_definition("leak")
        assert set(definition) == SPEC_DEFINITION
        attributes = definition["attributes"]
        if fmt == "xml":
            attributes = attributes["attribute"]
        codes = [a["code"] for a in attributes]
        assert codes == ["building", "unit", "room", "landmark", "urgency"]
        for attribute in attributes:
            assert SPEC_ATTRIBUTE <= set(attribute)
            assert attribute["datatype"] in SPEC_DATATYPES
        urgency = attributes[-1]
        assert urgency["datatype"] == "singlevaluelist"
        if fmt == "json":
            assert urgency["values"] == [{"key": "normal", "name": "一般"},
                                         {"key": "urgent", "name": "紧急"}]  # fmt: skip
            assert isinstance(urgency["order"], int) and urgency["variable"] is True
    service = GeoReport(base).get_service_definition("residence_certificate")
    assert [a["code"] for a in service["attributes"]] == ["applicant", "time_preference"]


def test_post_request_then_read_it_back(base: str, api_key: str) -> None:
    response = _post(base, api_key=api_key, service_code="leak",
                     address_string="7号楼3单元502", description="楼上漏水，电话13912345678",
                     phone="13912345678", **{"attribute[urgency]": "urgent"})  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert SPEC_POST_RESPONSE <= set(body[0])
    request_id, token = body[0]["service_request_id"], body[0]["token"]
    assert request_id.startswith("BS-")

    client = GeoReport(base)
    one = client.get_service_request(request_id)
    assert set(one) == SPEC_REQUEST
    assert one["status"] == "open"
    assert one["service_code"] == "leak"
    assert one["agency_responsible"] == "物业"
    assert one["address"] == "7号楼3单元"  # building and unit, never the room
    assert "502" not in str(one)
    assert (one["lat"], one["long"]) == (None, None)  # no location was shared
    assert "13912345678" not in str(one)  # no personal data through Open311 reads
    assert one["requested_datetime"].endswith("+08:00")
    many = client.get_service_requests(service_request_id=request_id)
    assert [r["service_request_id"] for r in many] == [request_id]
    xml_one = GeoReport(base, output_format="xml").get_service_request(request_id)
    assert xml_one["service_request_id"] == request_id and xml_one["status"] == "open"

    tokens = httpx.get(f"{base}/tokens/{token}.json").json()
    assert tokens == [{"service_request_id": request_id, "token": token}]
    tokens_xml = xmltodict.parse(httpx.get(f"{base}/tokens/{token}.xml").content)
    assert tokens_xml["service_requests"]["request"]["service_request_id"] == request_id


def test_post_service_application_and_duplicate_notice(base: str, api_key: str) -> None:
    first = _post(base, api_key=api_key, service_code="streetlight",
                  **{"attribute[building]": "8"}).json()[0]  # fmt: skip
    second = _post(base, api_key=api_key, service_code="streetlight",
                   address_string="8号楼").json()[0]  # fmt: skip
    assert first["service_request_id"] in second["service_notice"]
    service = _post(base, "xml", api_key=api_key, service_code="senior_card", lat="30.5",
                    long="114.3", **{"attribute[applicant]": "母亲"})  # fmt: skip
    assert service.status_code == 200
    parsed = xmltodict.parse(service.content)["service_requests"]["request"]
    assert parsed["service_request_id"].startswith("FW-")


def test_requests_filters(base: str, api_key: str) -> None:
    ids = {code: _post(base, api_key=api_key, service_code=code,
                       **{"attribute[building]": "2"}).json()[0]["service_request_id"]
           for code in ("leak", "garbage")}  # fmt: skip
    client = GeoReport(base)
    only_leak = client.get_service_requests(service_code="leak")
    assert [r["service_request_id"] for r in only_leak] == [ids["leak"]]
    assert client.get_service_requests(status="closed") == []
    assert len(client.get_service_requests(status="open")) == 2
    future = client.get_service_requests(start_date="2030-01-01T00:00:00Z")
    assert future == []
    window = client.get_service_requests(start_date="2026-11-20T00:00:00Z",
                                         end_date="2026-11-22T00:00:00Z")  # fmt: skip
    assert len(window) == 2


def test_errors_use_the_spec_format(base: str, api_key: str) -> None:
    cases = [
        (_post(base, service_code="leak", address_string="1号楼"), 403),  # no api_key
        (_post(base, api_key="wrong", service_code="leak", address_string="1号楼"), 403),
        (_post(base, api_key=api_key, service_code="nope", address_string="1号楼"), 404),
        (_post(base, api_key=api_key, service_code="leak"), 400),  # no location
        (_post(base, api_key=api_key, service_code="leak", address_string="1号楼",
               **{"attribute[urgency]": "yesterday"}), 400),
        (httpx.get(f"{base}/services/nope.json"), 404),
        (httpx.get(f"{base}/requests/BS-20000101-0001.json"), 404),
        (httpx.get(f"{base}/requests.json", params={"status": "maybe"}), 400),
        (httpx.get(f"{base}/requests.json", params={"start_date": "yesterday"}), 400),
        (httpx.get(f"{base}/tokens/nope.json"), 404),
        (httpx.get(f"{base}/services.csv"), 404),
    ]  # fmt: skip
    for response, code in cases:
        assert response.status_code == code, response.text
        body = response.json()
        assert isinstance(body, list) and set(body[0]) == SPEC_ERROR
        assert body[0]["code"] == code and body[0]["description"]
    xml = httpx.get(f"{base}/services/nope.xml")
    assert xml.status_code == 404
    parsed = xmltodict.parse(xml.content)
    assert parsed["errors"]["error"]["code"] == "404"


def test_internal_cases_are_not_exposed(base: str, hub_url: str) -> None:
    headers = {"Authorization": "Bearer test-service-token"}
    body = {"type": "callback", "contact_phone": "13700000000"}
    callback = httpx.post(f"{hub_url}/api/cases", headers=headers, json=body).json()
    report = httpx.post(f"{hub_url}/api/cases", headers=headers,
                        json={"type": "report", "category": "noise"}).json()  # fmt: skip
    listed = [r["service_request_id"] for r in GeoReport(base).get_service_requests()]
    assert report["case_no"] in listed and callback["case_no"] not in listed
    assert httpx.get(f"{base}/requests/{callback['case_no']}.json").status_code == 404


SPEC_DISCOVERY = {"changeset", "contact", "key_service", "endpoints"}
SPEC_ENDPOINT = {"specification", "url", "changeset", "type", "formats"}


def test_discovery_finds_the_endpoint_in_json_and_xml(hub_url: str) -> None:
    for path in ("/open311/discovery", "/open311/v2/discovery"):
        response = httpx.get(f"{hub_url}{path}.json")
        assert response.status_code == 200, response.text
        found = response.json()
        assert set(found) == SPEC_DISCOVERY and "api_key" in found["key_service"]
        (endpoint,) = found["endpoints"]
        assert set(endpoint) == SPEC_ENDPOINT
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == f"{hub_url}/open311/v2"
        assert endpoint["type"] == "production"
        assert set(endpoint["formats"]) == {"application/json", "text/xml"}
        xml = xmltodict.parse(httpx.get(f"{hub_url}{path}.xml").content)["discovery"]
        assert xml["endpoints"]["endpoint"]["url"] == endpoint["url"]
        assert set(xml["endpoints"]["endpoint"]["formats"]["format"]) == set(endpoint["formats"])
    # an independent client reaches the services through the discovered address
    services = GeoReport(endpoint["url"]).get_service_list()
    assert any(s["service_code"] == "leak" for s in services)
    assert httpx.get(f"{hub_url}/open311/discovery.csv").status_code == 404


def test_lat_long_come_back_from_a_post_and_from_a_shared_location(
    base: str, api_key: str, hub_url: str
) -> None:
    posted = _post(base, api_key=api_key, service_code="roads", lat="30.592849", long="114.305539",
                   description="路面塌了个坑").json()[0]["service_request_id"]  # fmt: skip
    one = GeoReport(base).get_service_request(posted)
    assert (one["lat"], one["long"]) == (30.5928, 114.3055)  # about 10 m: building level
    xml = xmltodict.parse(httpx.get(f"{base}/requests/{posted}.xml").content)
    assert xml["service_requests"]["request"]["lat"] == "30.5928"

    headers = {"Authorization": "Bearer test-service-token"}
    case = httpx.post(f"{hub_url}/api/cases", headers=headers, json={
        "type": "report", "category": "garbage", "sender_id": "tg:55",
        "location": {"building": "3", "unit": "1", "room": "402"}}).json()  # fmt: skip
    shared = httpx.post(f"{hub_url}/api/cases/{case['case_no']}/attachments", headers=headers,
                        data={"kind": "location", "sender_id": "tg:55",
                              "latitude": "30.59111", "longitude": "114.30222"})  # fmt: skip
    assert shared.status_code == 201, shared.text
    row = GeoReport(base).get_service_request(case["case_no"])
    assert (row["lat"], row["long"]) == (30.5911, 114.3022)
    assert row["address"] == "3号楼1单元" and "402" not in str(row)

    for lat, lon in (("abc", "114.3"), ("95", "114.3"), ("30.5", ""), ("nan", "1")):
        bad = _post(base, api_key=api_key, service_code="roads", lat=lat, long=lon,
                    address_string="1号楼")  # fmt: skip
        assert bad.status_code == 400, (lat, lon, bad.text)
        assert "lat/long" in bad.json()[0]["description"]


def test_the_retention_purge_clears_the_coordinates(base: str, hub_url: str, hub: FastAPI,
                                                    clock) -> None:  # fmt: skip
    from cases.crud import get_case
    from cases.lifecycle import change_status
    from cases.statuses import Status

    headers = {"Authorization": "Bearer test-service-token"}
    no = httpx.post(f"{hub_url}/api/cases", headers=headers, json={
        "type": "report", "category": "roads", "sender_id": "tg:56",
        "location": {"building": "9"}}).json()["case_no"]  # fmt: skip
    httpx.post(
        f"{hub_url}/api/cases/{no}/attachments",
        headers=headers,
        data={"kind": "location", "sender_id": "tg:56", "latitude": "30.6", "longitude": "114.3"},
    )
    with session_scope(hub.state.cases.sessions) as session:
        change_status(session=session, case=get_case(session=session, case_no=no),
                      new_status=Status.CLOSED, now=clock.now(), actor="t")  # fmt: skip
    assert GeoReport(base).get_service_request(no)["lat"] == 30.6
    hub.state.cases.settings.retention_days = 30
    clock.advance(days=31)
    assert httpx.post(f"{hub_url}/api/cases-admin/purge", headers=headers).json()["purged"] == [no]
    row = GeoReport(base).get_service_request(no)
    assert (row["lat"], row["long"], row["address"]) == (None, None, "9号楼")

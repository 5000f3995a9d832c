"""Open311 GeoReport v2 mapping: our categories/services as Open311 services, cases as requests.

Only non-personal fields leave through Open311 reads: no phone, name or e-mail, the place at
building and unit level (never the room), coordinates rounded to about 10 m, and the description
with phone / ID numbers masked.

Which cases are requests: reports (报事) from every channel, and whatever was posted through
Open311. Emergencies (紧急求助), 转人工 call-backs and service applications (办事) made in the
chat, at the kiosk or on Telegram are not listed: they concern one household (its safety, its
benefits, a call back) rather than a public problem.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from cases.models import Case, CaseEvent
from cases.queue import subject
from cases.statuses import Status
from core.contracts import Location
from core.localtime import local_tz
from core.pii import mask_pii
from core.taxonomy import categories, category_by_code, service_by_code, services

REPORT_GROUP = "报事"
SERVICE_GROUP = "办事"

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
API_CHANGESET = "2026-12-03T00:00:00+08:00"
"""When this endpoint's behaviour last changed (discovery ``changeset``)."""
FORMATS = ["application/json", "text/xml"]
COORDINATE_DECIMALS = 4
"""Decimals of lat/long in Open311 reads: 4 is about 10 m, the scale of a building."""

URGENCY_VALUES = [{"key": "normal", "name": "一般"}, {"key": "urgent", "name": "紧急"}]

REPORT_ATTRIBUTES: list[dict[str, Any]] = [
    {"code": "building", "description": "楼栋号，例如 5", "datatype": "string", "required": False},
    {"code": "unit", "description": "单元号", "datatype": "string", "required": False},
    {"code": "room", "description": "房号", "datatype": "string", "required": False},
    {"code": "landmark", "description": "地标：东门、菜市场旁边……", "datatype": "string",
     "required": False},
    {"code": "urgency", "description": "紧急程度", "datatype": "singlevaluelist",
     "required": False, "values": URGENCY_VALUES},
]  # fmt: skip

SERVICE_ATTRIBUTES: list[dict[str, Any]] = [
    {"code": "applicant", "description": "申请人：本人，或家属关系（母亲……）",
     "datatype": "string", "required": False},
    {"code": "time_preference", "description": "方便的时间", "datatype": "string",
     "required": False},
]  # fmt: skip


def w3c(when: datetime | None) -> str | None:
    """W3C datetime with offset, in China time (e.g. 2026-11-21T10:00:00+08:00)."""
    return when.astimezone(local_tz()).isoformat(timespec="seconds") if when else None


def discovery(endpoint_url: str, *, contact: str, key_service: str) -> dict[str, Any]:
    """The GeoReport v2 service discovery document (wiki.open311.org/Service_Discovery)."""
    return {
        "changeset": API_CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": API_CHANGESET,
                "type": "production",
                "formats": FORMATS,
            }
        ],
    }


def service_list() -> list[dict[str, Any]]:
    """GET services: report categories, then the service catalogue."""
    rows = [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": f"{c.name}（处理部门：{c.department}）",
            "metadata": True,
            "type": "realtime",
            "keywords": ",".join(c.synonyms[:8]),
            "group": REPORT_GROUP,
        }
        for c in categories()
    ]
    rows += [
        {
            "service_code": s.code,
            "service_name": s.name,
            "description": s.notes or s.name,
            "metadata": True,
            "type": "realtime",
            "keywords": ",".join(s.synonyms[:8]),
            "group": SERVICE_GROUP,
        }
        for s in services()
    ]
    return rows


def service_definition(code: str) -> dict[str, Any] | None:
    """GET services/{code}: attributes = our form slots (None for an unknown code)."""
    if category_by_code(code) is not None:
        attrs = REPORT_ATTRIBUTES
    elif service_by_code(code) is not None:
        attrs = SERVICE_ATTRIBUTES
    else:
        return None
    attributes = []
    for order, attr in enumerate(attrs, start=1):
        attributes.append(
            {
                "variable": True,
                "code": attr["code"],
                "datatype": attr["datatype"],
                "required": attr["required"],
                "datatype_description": None,
                "order": order,
                "description": attr["description"],
                **({"values": attr["values"]} if "values" in attr else {}),
            }
        )
    return {"service_code": code, "attributes": attributes}


_ADDRESS_RE = re.compile(
    r"(?:(?P<building>\d+)\s*(?:号楼|栋|幢|号))?\s*(?:(?P<unit>\d+)\s*单元)?\s*(?:(?P<room>\d+)\s*室?)?"
)


def parse_address(address: str | None, attributes: dict[str, str]) -> Location:
    """A location from Open311 attributes and/or a free-text address ('5号楼2单元301')."""
    building = attributes.get("building") or None
    unit = attributes.get("unit") or None
    room = attributes.get("room") or None
    if address:
        match = _ADDRESS_RE.search(address)
        if match:
            building = building or match.group("building")
            unit = unit or match.group("unit")
            room = room or (match.group("room") if match.group("building") else None)
    return Location(
        building=building,
        unit=unit,
        room=room,
        landmark=attributes.get("landmark") or None,
        raw=address[:500] if address else None,
    )


def open311_status(case: Case) -> str:
    """'closed' once resolved or closed, else 'open'."""
    return "closed" if case.status in (Status.RESOLVED.value, Status.CLOSED.value) else "open"


def public_address(case: Case) -> str | None:
    """The place as Open311 shows it: 7号楼3单元 and a landmark, never the room."""
    address = Location(building=case.building, unit=case.unit, landmark=case.landmark).describe()
    return address or None


def _coordinate(value: float | None) -> float | None:
    return None if value is None else round(value, COORDINATE_DECIMALS)


def request_row(case: Case, last_public_event: CaseEvent | None) -> dict[str, Any]:
    """GET requests: one service request, without personal data."""
    agency = case.department_code or ""
    return {
        "service_request_id": case.case_no,
        "status": open311_status(case),
        "status_notes": last_public_event.text if last_public_event else None,
        "service_name": subject(case),
        "service_code": case.category or case.service_code or case.type,
        "description": mask_pii(case.description) if case.type == "report" else None,
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.due_at),
        "address": public_address(case),
        "address_id": None,
        "zipcode": None,
        "lat": _coordinate(case.latitude),
        "long": _coordinate(case.longitude),
        "media_url": None,
    }


# --- XML -----------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, bool):
        child.text = "true" if value else "false"
    elif isinstance(value, list):
        item_tag = {"attributes": "attribute", "values": "value", "endpoints": "endpoint",
                    "formats": "format"}.get(key, "item")  # fmt: skip
        for item in value:
            if isinstance(item, dict):
                _xml_dict(ET.SubElement(child, item_tag), item)
            else:
                ET.SubElement(child, item_tag).text = str(item)
    elif value is not None:
        child.text = str(value)


def _xml_dict(element: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        _xml_value(element, key, value)


def to_xml(root_tag: str, item_tag: str | None, data: Any) -> bytes:
    """Serialise like the GeoReport v2 XML examples.

    ``to_xml("services", "service", [...])`` → ``<services><service>…</service></services>``;
    with ``item_tag=None`` the data is one dict written straight under the root.
    """
    root = ET.Element(root_tag)
    if item_tag is None:
        _xml_dict(root, data)
    else:
        for item in data:
            _xml_dict(ET.SubElement(root, item_tag), item)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")

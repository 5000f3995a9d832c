"""Public catalogue: services (办事指南) and report categories, from ``core.taxonomy``."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from core.contracts import CategoryInfo, ServiceInfo
from core.taxonomy import Service, categories, service_by_code, services

router = APIRouter(prefix="/api", tags=["catalogue"])


def _service_info(service: Service) -> ServiceInfo:
    return ServiceInfo(
        code=service.code,
        name=service.name,
        materials=list(service.materials),
        where=service.where,
        notes=service.notes,
    )


@router.get("/services", response_model=list[ServiceInfo])
def list_services() -> list[ServiceInfo]:
    """The service catalogue."""
    return [_service_info(s) for s in services()]


@router.get("/services/{code}", response_model=ServiceInfo)
def get_service(code: str) -> ServiceInfo:
    """One service with its materials."""
    service = service_by_code(code)
    if service is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"没有这个办事事项：{code}")
    return _service_info(service)


@router.get("/categories", response_model=list[CategoryInfo])
def list_categories() -> list[CategoryInfo]:
    """The report categories."""
    return [CategoryInfo(code=c.code, name=c.name, department=c.department) for c in categories()]

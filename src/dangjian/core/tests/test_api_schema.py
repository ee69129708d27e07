"""The API's OpenAPI document and its docs page: complete, public, and served without the internet."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/orgs": {"kind", "include_dissolved", "page", "page_size"},
    "/api/v1/orgs/{org_id}": {"org_id"},
    "/api/v1/members": {
        "q",
        "org",
        "category",
        "status",
        "gender",
        "education",
        "age_min",
        "age_max",
        "joined_year",
        "page",
        "page_size",
    },
    "/api/v1/members/{member_id}": {"member_id"},
    "/api/v1/members/transfers": {"q", "kind", "state", "year", "page", "page_size"},
    "/api/v1/meetings": {"org", "activity", "status", "from", "to", "page", "page_size"},
    "/api/v1/meetings/{meeting_id}": {"meeting_id"},
    "/api/v1/meetings/{meeting_id}/attendance": {"meeting_id", "page", "page_size"},
    "/api/v1/compliance": {"org", "period"},
    "/api/v1/fees/bases": {"org", "member", "page", "page_size"},
    "/api/v1/fees/ledger": {"org", "month", "unpaid", "page", "page_size"},
    "/api/v1/fees/payments": {"org", "member", "from", "to", "page", "page_size"},
    "/api/v1/development/applicants": {"org", "stage", "state", "page", "page_size"},
    "/api/v1/development/applicants/{applicant_id}": {"applicant_id"},
    "/api/v1/development/funnel": {"org"},
    "/api/v1/study/summary": {"org", "year"},
    "/api/v1/study/members": {"org", "year", "behind", "page", "page_size"},
    "/api/v1/study/members/me": {"year"},
    "/api/v1/study/sessions": {"org", "year", "kind", "page", "page_size"},
    "/api/v1/study/sessions/{session_id}": {"session_id"},
    "/api/v1/study/reports": {"org", "state", "page", "page_size"},
    "/api/v1/study/plan": {"org", "year", "page", "page_size"},
    "/api/v1/voice/proposals/{proposal_id}": {"proposal_id"},
    "/api/v1/voice/commitments": {"org", "year", "kind", "graded", "page", "page_size"},
    "/api/v1/voice/commitments/{commitment_id}": {"commitment_id"},
    "/api/v1/voice/promises": {"org", "page", "page_size"},
    "/api/v1/voice/inquiries/{inquiry_id}": {"inquiry_id"},
    "/api/v1/voice/surveys": {"org", "state", "q", "page", "page_size"},
    "/api/v1/voice/surveys/{survey_id}/results": {"survey_id"},
    "/api/v1/voice/consultations": {"org", "kind", "year", "q", "page", "page_size"},
    "/api/v1/voice/problems": {"org", "year", "state", "source", "overdue", "q", "page", "page_size"},
    "/api/v1/voice/problems/summary": {"org", "year"},
}
#: A read and a create on one path (the create needs no version: a new row).
READ_AND_CREATE = {
    "/api/v1/voice/proposals": {"q", "org", "state", "category", "year", "handler", "overdue", "page", "page_size"},
    "/api/v1/voice/inquiries": {"q", "org", "state", "channel", "overdue", "since", "until", "page", "page_size"},
    "/api/v1/voice/surveys/{survey_id}/answers": {"survey_id"},
}
#: Writes on rows that carry no version (a meeting planned, an attendance ticked, a sign-in): no If-Match.
PLAIN_WRITES = {
    "/api/v1/meetings": {"post"},
    "/api/v1/meetings/{meeting_id}/attendance/{attendance_id}": {"put", "patch"},
    "/api/v1/meetings/{meeting_id}/signin": {"post"},
    "/api/v1/members/transfers/{transfer_id}/receipt": {"post"},
    "/api/v1/study/sessions": {"post"},
}


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_it_describes_the_api(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "机关党建 API"
    assert schema["info"]["version"] == "1"
    assert "Authorization: Bearer" in schema["info"]["description"]


def test_it_lists_the_paths_with_their_parameters(schema):
    assert set(schema["paths"]) == set(PATHS) | set(PLAIN_WRITES) | set(WRITES) | set(READ_AND_CREATE)
    for path, params in (PATHS | READ_AND_CREATE).items():
        operation = schema["paths"][path]["get"]
        assert {p["name"] for p in operation["parameters"]} == params, path
    for path, methods in schema["paths"].items():
        listed = WRITES.get(path, set()) | PLAIN_WRITES.get(path, set()) | ({"get"} if path in PATHS else set())
        listed |= {"get", "post"} if path in READ_AND_CREATE else set()
        assert set(methods) == listed, f"{path}: reads, and the writes listed"


#: The writes: each on a versioned record, needing its version (If-Match), refused 428 without and 412 when stale.
WRITES = {
    "/api/v1/members/{member_id}": {"patch"},
    "/api/v1/development/applicants/{applicant_id}/steps": {"post"},
    "/api/v1/study/reports/{report_id}/review": {"post"},
    "/api/v1/voice/proposals/{proposal_id}/moves": {"post"},
    "/api/v1/voice/commitments/{commitment_id}/grade": {"post"},
    "/api/v1/voice/inquiries/{inquiry_id}/handoff": {"post"},
    "/api/v1/voice/inquiries/{inquiry_id}/close": {"post"},
}


def test_every_write_documents_its_version_refusals(schema):
    schemas = schema["components"]["schemas"]
    assert set(schemas["StaleOut"]["properties"]) == {"code", "message", "version", "changed"}
    for path, methods in WRITES.items():
        for method in methods:
            operation = schema["paths"][path][method]
            assert {"200", "401", "403", "404", "412", "422", "428"} <= set(operation["responses"]), path
            assert operation["security"] == [{"TokenAuth": []}], path
            assert "If-Match" in operation["description"]


def test_every_operation_needs_the_bearer_token(schema):
    assert schema["components"]["securitySchemes"] == {"TokenAuth": {"type": "http", "scheme": "bearer"}}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert operation["security"] == [{"TokenAuth": []}], f"{method} {path}"


def test_it_documents_the_error_format(schema):
    schemas = schema["components"]["schemas"]
    assert set(schemas["ErrorOut"]["properties"]) == {"code", "message"}
    assert set(schemas["ValidationErrorOut"]["properties"]) == {"code", "message", "errors"}
    for path in PATHS:
        responses = schema["paths"][path]["get"]["responses"]
        assert {"200", "401", "404", "422"} <= set(responses), path
        assert responses["401"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}


def test_it_documents_choices_and_masking(schema):
    params = {p["name"]: p for p in schema["paths"]["/api/v1/members"]["get"]["parameters"]}
    assert "probationary=预备党员" in params["category"]["description"]
    assert "all=全部状态" in params["status"]["description"]
    page_size = params["page_size"]["schema"]
    assert (page_size["minimum"], page_size["maximum"], page_size["default"]) == (1, 100, 25)
    member = schema["components"]["schemas"]["MemberOut"]["properties"]
    assert "只显示后4位" in member["id_number"]["description"]
    assert "null" in member["birth_date"]["description"] and member["age_band"]["type"] == "string"
    assert "age_band" in schema["info"]["description"]


def test_every_ref_resolves(schema):
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', str(schema).replace("'", '"')))
    assert refs and refs <= set(schema["components"]["schemas"])


def test_the_docs_are_served_offline(client):
    response = client.get(reverse("api:openapi-view"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "机关党建 API" in page
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls, "the docs page loads its scripts and styles"
    for url in urls:
        assert not url.startswith(("http:", "https:", "//")) and "cdn" not in url.lower(), url
        assert url.startswith("/static/ninja/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not among the static files"
    assert "swagger-ui-bundle.js" in page
    assert '"url": "/api/v1/openapi.json"' in page
    assert '"validatorUrl": null' in page  # else Swagger UI posts the schema to validator.swagger.io


def test_the_index_points_to_schema_and_docs(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        "title": "机关党建 API",
        "version": "1",
        "openapi": "/api/v1/openapi.json",
        "docs": "/api/v1/docs",
    }

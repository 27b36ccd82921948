"""The pynamodb side of TestPynamoDBInterop (integration_test/pynamodb_test.go).

Usage: python pynamodb_interop.py MODE ENDPOINT REGION DEPARTMENT_TABLE EMPLOYEE_TABLE ORDER_TABLE

MODE is one of:
  seed  write the notebook's departments and employees, and an order with a
        datetime, numbers, sets, a list, a map, a version and a TTL;
  read  print every item as JSON;
  bump  save the order from a stale copy (which must be refused), then from
        a fresh one; print {"stale_refused": bool, "version": int}.

The models are the notebook's (seeds/000_0c7091197a711070.txt), with the
index named by Meta.index_name: pynamodb ignores the notebook's Meta.index.
"""

import json
import os
import sys
from datetime import datetime, timezone

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

mode, endpoint, region, department_table, employee_table, order_table = sys.argv[1:7]


def meta(table):
    """Returns the Meta of a model on the test's engine."""
    attrs = {"table_name": table, "host": endpoint, "region": region}
    if not os.environ.get("AWS_ACCESS_KEY_ID") and not os.environ.get("AWS_PROFILE"):
        attrs.update(aws_access_key_id="dummy", aws_secret_access_key="dummy")
    return type("Meta", (), attrs)


class Department(Model):
    Meta = meta(department_table)
    department_id = UnicodeAttribute(hash_key=True)
    department_name = UnicodeAttribute()


class DepartmentEmployeeIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "department-employee-index"
        projection = AllProjection()

    department_id = UnicodeAttribute(hash_key=True, null=True)


class Employee(Model):
    Meta = meta(employee_table)
    employee_id = UnicodeAttribute(hash_key=True)
    employee_name = UnicodeAttribute()
    department_id = UnicodeAttribute(null=True)
    department_index = DepartmentEmployeeIndex()


class Address(MapAttribute):
    street = UnicodeAttribute()
    city = UnicodeAttribute()


class Order(Model):
    Meta = meta(order_table)
    order_id = UnicodeAttribute(hash_key=True)
    ordered_at = UTCDateTimeAttribute()
    total = NumberAttribute()
    count = NumberAttribute()
    tags = UnicodeSetAttribute()
    scores = NumberSetAttribute()
    lines = ListAttribute(of=UnicodeAttribute)
    address = Address()
    note = UnicodeAttribute(null=True)
    version = VersionAttribute()
    expires = TTLAttribute()


def seed():
    for department_id, name in [("d-1", "HR"), ("d-2", "IT")]:
        Department(department_id=department_id, department_name=name).save(
            condition=~Department.department_id.exists()
        )
    for employee_id, name, department_id in [
        ("e-1", "Alice", "d-1"),
        ("e-2", "Bob", "d-1"),
        ("e-3", "Cathy", "d-2"),
        ("e-4", "David", "d-2"),
        ("e-5", "Edward", "d-2"),
    ]:
        Employee(employee_id=employee_id, employee_name=name, department_id=department_id).save(
            condition=~Employee.employee_id.exists()
        )
    Order(
        order_id="o-1",
        ordered_at=datetime(2024, 3, 4, 5, 6, 7, 123456, tzinfo=timezone.utc),
        total=12.5,
        count=3,
        tags={"a", "b"},
        scores={1, 2, 3},
        lines=["x", "y"],
        address=Address(street="1 Main St", city="Springfield"),
        expires=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    ).save()
    return {"ok": True}


def order_json(o):
    return {
        "order_id": o.order_id,
        "ordered_at": o.ordered_at.isoformat(),
        "ordered_at_raw": Order.ordered_at.serialize(o.ordered_at),
        "total": o.total,
        "count": o.count,
        "tags": sorted(o.tags),
        "scores": sorted(o.scores),
        "lines": list(o.lines),
        "address": {"street": o.address.street, "city": o.address.city},
        "note": o.note,
        "version": o.version,
        "expires": int(o.expires.timestamp()),
    }


def read():
    return {
        "departments": sorted(
            ({"department_id": d.department_id, "department_name": d.department_name} for d in Department.scan()),
            key=lambda d: d["department_id"],
        ),
        "employees": sorted(
            (
                {"employee_id": e.employee_id, "employee_name": e.employee_name, "department_id": e.department_id}
                for e in Employee.scan()
            ),
            key=lambda e: e["employee_id"],
        ),
        "by_department": {
            d: sorted(e.employee_id for e in Employee.department_index.query(d)) for d in ("d-1", "d-2")
        },
        "order": order_json(Order.get("o-1")),
    }


def bump():
    fresh = Order.get("o-1")
    stale = Order.get("o-1")
    stale.version = fresh.version - 1
    stale.note = "stale from python"
    refused = False
    try:
        stale.save()
    except PutError as e:
        refused = e.cause_response_code == "ConditionalCheckFailedException"
    fresh.note = "from python"
    fresh.save()
    return {"stale_refused": refused, "version": fresh.version}


json.dump({"seed": seed, "read": read, "bump": bump}[mode](), sys.stdout)

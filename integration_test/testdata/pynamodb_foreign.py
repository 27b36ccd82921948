"""The pynamodb side of TestRelationsForeignWriter (integration_test/relations_foreign_test.go).

Usage: python pynamodb_foreign.py ENDPOINT REGION DEPARTMENT_TABLE EMPLOYEE_TABLE

A service that shares the notebook's tables without dynamokit: it moves and
creates employees by writing their department_id, as the notebook does, and
knows nothing of the departments' child_count. In one run it:
  - moves e-1 and e-2 from d-1 to d-2;
  - creates e-9 in d-3;
  - creates e-8 in d-404, a department that does not exist.
It prints {"moved": 2, "created": 2}.
"""

import json
import os
import sys

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

endpoint, region, department_table, employee_table = sys.argv[1:5]


def meta(table):
    """Returns the Meta of a model on the test's engine."""
    attrs = {"table_name": table, "host": endpoint, "region": region}
    if not os.environ.get("AWS_ACCESS_KEY_ID") and not os.environ.get("AWS_PROFILE"):
        attrs.update(aws_access_key_id="dummy", aws_secret_access_key="dummy")
    return type("Meta", (), attrs)


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


moved = 0
for employee_id in ("e-1", "e-2"):
    e = Employee.get(employee_id, consistent_read=True)
    e.update(actions=[Employee.department_id.set("d-2")])
    moved += 1
created = 0
for employee_id, name, department_id in (("e-9", "Ivy", "d-3"), ("e-8", "Hank", "d-404")):
    Employee(employee_id=employee_id, employee_name=name, department_id=department_id).save(
        condition=~Employee.employee_id.exists()
    )
    created += 1
json.dump({"moved": moved, "created": created}, sys.stdout)

"""The describe answers: DescribeGlobalResult (``sobjects/``) and DescribeSObjectResult
(``sobjects/<T>/describe``) with each field's properties.
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm#i1427375
"""

from __future__ import annotations

from .schema import ID_TYPES, SOBJECTS, TEXT_TYPES, Field, SObject

SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "double": "xsd:double",
    "int": "xsd:int",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "boolean": "xsd:boolean",
}


def _urls(sobject: SObject, version: str) -> dict:
    base = f"/services/data/v{version}/sobjects/{sobject.name}"
    return {
        "compactLayouts": f"{base}/describe/compactLayouts",
        "rowTemplate": f"{base}/{{ID}}",
        "approvalLayouts": f"{base}/describe/approvalLayouts",
        "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
        "listviews": f"{base}/listviews",
        "describe": f"{base}/describe",
        "quickActions": f"{base}/quickActions",
        "layouts": f"{base}/describe/layouts",
        "sobject": base,
    }


def _basics(sobject: SObject, version: str) -> dict:
    """What the global describe and the object's own describe both say of it."""
    return {
        "activateable": False,
        "createable": True,
        "custom": False,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": True,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": sobject.key_prefix,
        "label": sobject.label,
        "labelPlural": sobject.label_plural,
        "layoutable": True,
        "mergeable": sobject.name != "Opportunity",
        "mruEnabled": True,
        "name": sobject.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": True,
        "undeletable": True,
        "updateable": True,
        "urls": _urls(sobject, version),
    }


def field(item: Field) -> dict:
    """A field's DescribeFieldResult."""
    text = item.type in TEXT_TYPES
    return {
        "aggregatable": item.type != "textarea",
        "autoNumber": False,
        "byteLength": item.length * 3 if text or item.type in ID_TYPES else 0,
        "calculated": False,
        "calculatedFormula": None,
        "cascadeDelete": False,
        "caseSensitive": False,
        "compoundFieldName": None,
        "controllerName": None,
        "createable": item.createable,
        "custom": item.custom,
        "defaultValue": False if item.type == "boolean" else None,
        "defaultValueFormula": None,
        "defaultedOnCreate": item.defaulted,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": item.digits,
        "externalId": False,
        "filterable": item.filterable,
        "groupable": item.filterable and item.type not in ("currency", "percent", "double"),
        "htmlFormatted": False,
        "idLookup": item.name == "Id",
        "label": item.label,
        "length": item.length if text or item.type in ID_TYPES else 0,
        "name": item.name,
        "nameField": item.name_field,
        "nillable": item.nillable,
        "permissionable": item.nillable and item.updateable,
        "picklistValues": [
            {
                "active": True,
                "defaultValue": False,
                "label": value,
                "validFor": None,
                "value": value,
            }
            for value in item.picklist
        ],
        "polymorphicForeignKey": False,
        "precision": item.precision,
        "referenceTargetField": None,
        "referenceTo": list(item.reference_to),
        "relationshipName": item.relationship,
        "relationshipOrder": None,
        "restrictedDelete": False,
        "restrictedPicklist": item.restricted,
        "scale": item.scale,
        "soapType": SOAP_TYPES.get(item.type, "xsd:string"),
        "sortable": item.filterable,
        "type": item.type,
        "unique": False,
        "updateable": item.updateable,
    }


def describe(sobject: SObject, version: str) -> dict:
    """``sobjects/<T>/describe``."""
    return {
        **_basics(sobject, version),
        "childRelationships": [],
        "fields": [field(item) for item in sobject.fields],
        "recordTypeInfos": [],
        "supportedScopes": [{"label": "All " + sobject.label_plural.lower(), "name": "everything"}],
    }


def basic_info(sobject: SObject, version: str) -> dict:
    """``sobjects/<T>``: the object's basic describe and the records the user saw lately."""
    return {"objectDescribe": _basics(sobject, version), "recentItems": []}


def describe_global(version: str) -> dict:
    """``sobjects/``: the objects of the org."""
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [_basics(sobject, version) for sobject in SOBJECTS.values()],
    }

"""Writes ripa_sample.csv: a small file in the layout of California DOJ's public RIPA stop
data (2018-2023), made up by hand for the import tests. Each row's purpose is in NOTE; the
expected import results are stated in test_import_ripa.py, derived from these rows by hand.

Run: python peelian/stops/tests/data/make_ripa_sample.py
"""

from __future__ import annotations

import csv
from pathlib import Path

COLUMNS = [
    "DOJ_RECORD_ID",
    "PERSON_NUMBER",
    "AGENCY_ORI",
    "AGENCY_NAME",
    "TIME_OF_STOP",
    "DATE_OF_STOP",
    "STOP_DURATION",
    "CLOSEST_CITY",
    "RAE_FULL",
    "RAE_ASIAN",
    "RAE_BLACK_AFRICAN_AMERICAN",
    "RAE_HISPANIC_LATINO",
    "RAE_MIDDLE_EASTERN_SOUTH_ASIAN",
    "RAE_NATIVE_AMERICAN",
    "RAE_PACIFIC_ISLANDER",
    "RAE_WHITE",
    "RAE_MULTIRACIAL",
    "G_FULL",
    "AGE",
    "REASON_FOR_STOP",
    "ADS_SEARCH_PERSON",
    "ADS_SEARCH_PROPERTY",
    "BFS_CONSENT_GIVEN",
    "BFS_OFFICER_SAFETY",
    "BFS_SEARCH_WARRANT",
    "BFS_PAROLE",
    "BFS_SUSPECT_WEAPON",
    "BFS_VISIBLE_CONTRABAND",
    "BFS_ODOR_CONTRABAND",
    "BFS_CANINE_DETECT",
    "BFS_EVIDENCE",
    "BFS_INCIDENT",
    "BFS_EXIGENT_CIRCUM",
    "BFS_VEHICLE_INVENT",
    "BFS_SCHOOL_POLICY",
    "CED_NONE_CONTRABAND",
    "CED_FIREARM",
    "CED_AMMUNITION",
    "CED_WEAPON",
    "CED_DRUGS",
    "CED_ALCOHOL",
    "CED_MONEY",
    "CED_DRUG_PARAPHERNALIA",
    "CED_STOLEN_PROP",
    "CED_ELECT_DEVICE",
    "CED_OTHER_CONTRABAND",
    "ROS_NO_ACTION",
    "ROS_WARNING",
    "ROS_CITATION",
    "ROS_IN_FIELD_CITE_RELEASE",
    "ROS_CUSTODIAL_WARRANT",
    "ROS_CUSTODIAL_WITHOUT_WARRANT",
]
RACE_FLAG = {
    "1": "RAE_ASIAN",
    "2": "RAE_BLACK_AFRICAN_AMERICAN",
    "3": "RAE_HISPANIC_LATINO",
    "4": "RAE_MIDDLE_EASTERN_SOUTH_ASIAN",
    "5": "RAE_NATIVE_AMERICAN",
    "6": "RAE_PACIFIC_ISLANDER",
    "7": "RAE_WHITE",
}

# (record, person, ori, date, time, RAE_FULL, extra race flags, G_FULL, age, reason,
#  set-to-1 columns); NOTE beside each.
ROWS = [
    ("R1", "1", "CA0010000", "2019-07-01", "08:15", "7", [], "1", "34", "1", ["ROS_CITATION"]),
    # white man, cited
    ("R1", "2", "CA0010000", "2019-07-01", "08:15", "2", [], "2", "29", "1", ["ROS_NO_ACTION"]),
    # second person of the same stop: black woman, no action
    (
        "R2",
        "1",
        "CA0010000",
        "07/02/2019",
        "23:40",
        "8",
        ["RAE_HISPANIC_LATINO", "RAE_WHITE"],
        "1",
        "19",
        "2",
        ["ADS_SEARCH_PERSON", "BFS_CONSENT_GIVEN", "CED_DRUGS", "ROS_CUSTODIAL_WITHOUT_WARRANT"],
    ),
    # multiracial incl. Hispanic -> hispanic; m/d/Y date; consent search, drugs, arrest
    (
        "R3",
        "1",
        "CA0010000",
        "2019-07-03",
        "12:00",
        "3",
        [],
        "2",
        "45",
        "1",
        [
            "ADS_SEARCH_PROPERTY",
            "BFS_CANINE_DETECT",
            "BFS_CONSENT_GIVEN",
            "CED_NONE_CONTRABAND",
            "ROS_WARNING",
        ],
    ),
    # hispanic woman; property searched on k9 alert and consent -> k9 first; nothing found
    ("R4", "1", "CA0010000", "2019-07-04", "25:10", "1", [], "1", "52", "1", ["ROS_WARNING"]),
    # asian man; impossible time -> kept without time, warned
    ("R5", "1", "CA0010000", "2019-02-30", "10:00", "7", [], "1", "60", "1", ["ROS_CITATION"]),
    # impossible date -> rejected
    ("R6", "1", "CA0010000", "2019-07-05", "14:05", "9", [], "1", "33", "1", ["ROS_CITATION"]),
    # RAE_FULL 9 is not a RIPA code -> unknown race -> rejected
    (
        "R7",
        "1",
        "CA0010000",
        "2019-07-06",
        "16:30",
        "4",
        [],
        "5",
        "27",
        "2",
        ["CED_FIREARM", "ROS_NO_ACTION"],
    ),
    # middle eastern/south asian -> other; G_FULL 5 -> blank sex; contraband without search
    ("R8", "1", "CA0020000", "2019-07-06", "17:00", "7", [], "1", "40", "1", ["ROS_CITATION"]),
    # another agency's row (AGENCY_ORI CA0020000)
    (
        "R9",
        "1",
        "CA0010000",
        "2019-07-07",
        "09:00",
        "6",
        [],
        "2",
        "200",
        "1",
        ["ADS_SEARCH_PERSON", "BFS_ODOR_CONTRABAND", "CED_MONEY", "ROS_IN_FIELD_CITE_RELEASE"],
    ),
    # pacific islander -> asian/pacific islander; age 200 -> warned, no age; odor -> PC
]


def main() -> None:
    out = Path(__file__).with_name("ripa_sample.csv")
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for rec, person, ori, date, time, rae, flags, g, age, reason, ones in ROWS:
            row = dict.fromkeys(COLUMNS, "0")
            row.update(
                DOJ_RECORD_ID=rec,
                PERSON_NUMBER=person,
                AGENCY_ORI=ori,
                AGENCY_NAME="SAMPLE PD" if ori == "CA0010000" else "OTHER SO",
                TIME_OF_STOP=time,
                DATE_OF_STOP=date,
                STOP_DURATION="10",
                CLOSEST_CITY="SAMPLE CITY",
                RAE_FULL=rae,
                G_FULL=g,
                AGE=age,
                REASON_FOR_STOP=reason,
            )
            if rae in RACE_FLAG:
                row[RACE_FLAG[rae]] = "1"
            for column in [*flags, *ones]:
                row[column] = "1"
            writer.writerow(row)


if __name__ == "__main__":
    main()

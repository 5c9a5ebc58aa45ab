$version: "2.0"

// A service that is not an AWS service, speaking Smithy RPC v2 CBOR (issue 21): generated into
// generated/garden (fuzz targets, bench) and, by tests/tests/rpcv2_e2e.rs, into a scratch
// workspace called against tests/tests/rpcv2_e2e/server.py (Python's cbor2).

namespace example.garden

use smithy.protocols#rpcv2Cbor

/// Raised beds and what grows in them.
@rpcv2Cbor
@title("Garden")
service Garden {
    version: "2024-06-01"
    operations: [
        PlantBed
        GetBed
        ListBeds
    ]
}

/// Plants a bed; the server answers with what it received.
operation PlantBed {
    input := {
        @required
        bed: Bed

        plantedAt: Timestamp

        photo: Blob

        care: Care
    }

    output := {
        bedId: String

        plantCount: Integer

        receivedAt: Timestamp

        echo: Bed

        care: Care
    }
}

/// Reads a bed back.
@readonly
operation GetBed {
    input := {
        @required
        bedId: String
    }

    output := {
        bed: Bed

        lastWatered: Timestamp

        tags: Tags

        care: Care

        photo: Blob

        ratio: Double

        weights: Weights
    }

    errors: [
        NoSuchBed
    ]
}

/// Every bed's id (no input: the request has no body).
@readonly
operation ListBeds {
    output := {
        bedIds: BedIds
    }
}

structure Bed {
    @required
    name: String

    plants: Plants

    soil: Soil

    sizeCm: Dimensions

    heightsMm: Heights
}

structure Plant {
    @required
    species: String

    count: Integer

    sowedAt: Timestamp

    perennial: Boolean
}

structure Dimensions {
    width: Integer

    length: Long
}

/// How a bed is looked after: one of these.
union Care {
    waterLitres: Float

    shade: Boolean

    schedule: Schedule
}

structure Schedule {
    days: Days

    note: String
}

@error("client")
structure NoSuchBed {
    message: String

    bedId: String
}

list Plants {
    member: Plant
}

list BedIds {
    member: String
}

list Days {
    member: String
}

@sparse
list Heights {
    member: Integer
}

map Soil {
    key: String
    value: Double
}

map Tags {
    key: String
    value: String
}

@sparse
map Weights {
    key: String
    value: Float
}

//! Generated gRPC code for every motcua service, compiled in one crate so that each service
//! and each client shares one definition of the contract (`proto/`).

/// Shared messages: the event envelope and the `EventReceiver` service.
pub mod common {
    /// Version 1 of the shared contract.
    pub mod v1 {
        tonic::include_proto!("motcua.common.v1");
    }
}

/// Catalogue service contract: procedures, agencies, deadlines.
pub mod catalogue {
    /// Version 1 of the catalogue contract.
    pub mod v1 {
        tonic::include_proto!("motcua.catalogue.v1");
    }
}

/// Intake service contract: received dossiers.
pub mod intake {
    /// Version 1 of the intake contract.
    pub mod v1 {
        tonic::include_proto!("motcua.intake.v1");
    }
}

/// Workflow service contract: cases behind dossiers.
pub mod workflow {
    /// Version 1 of the workflow contract.
    pub mod v1 {
        tonic::include_proto!("motcua.workflow.v1");
    }
}

/// Reporting service contract: rollups.
pub mod reporting {
    /// Version 1 of the reporting contract.
    pub mod v1 {
        tonic::include_proto!("motcua.reporting.v1");
    }
}

/// The audit trail every service serves: a target's records and the heads of their chains.
pub mod audit {
    /// Version 1 of the audit contract.
    pub mod v1 {
        tonic::include_proto!("motcua.audit.v1");
    }
}

/// The sector connector: how sector systems receive, read and finish their steps.
pub mod connector {
    /// Version 1 of the connector contract.
    pub mod v1 {
        tonic::include_proto!("motcua.connector.v1");
    }
}

/// Encoded `FileDescriptorSet` of all protos, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("motcua_descriptor");

/// Converts between protobuf timestamps and `time` instants at the gRPC boundary.
pub mod timestamp {
    use time::OffsetDateTime;

    /// A `time` instant as a protobuf timestamp.
    pub fn to_proto(t: OffsetDateTime) -> prost_types::Timestamp {
        prost_types::Timestamp {
            seconds: t.unix_timestamp(),
            nanos: t.nanosecond() as i32,
        }
    }

    /// A protobuf timestamp as a UTC instant; `None` when out of range.
    pub fn from_proto(t: &prost_types::Timestamp) -> Option<OffsetDateTime> {
        let nanos = i128::from(t.seconds) * 1_000_000_000 + i128::from(t.nanos);
        OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
    }
}

//! The table itself: every REST route and gRPC method of every service with the roles that may
//! call it (from `shared/api.md`, and from what the handlers enforced before the gate; where
//! the two differed, `docs/security.md` says so), the scope the handler then applies, and what a
//! caller of another agency gets.

use super::Access::{Public, Roles};
use super::Foreign::{AgencyNotAllowed, NotFound, OwnOnly, Same};
use super::Service::{Catalogue, Every, Intake, Reporting, Workflow};
use super::{Access, Foreign, GrpcMethod, RestRoute, Service};
use crate::Role::{
    Admin, AgencyHead, CatalogueAdmin, Citizen, Inspector, OneStopOfficer, Portal, SectorSystem,
    Service as Svc, Specialist,
};

const fn rest(
    service: Service,
    method: &'static str,
    path: &'static str,
    access: Access,
    foreign: Foreign,
    scope: &'static str,
) -> RestRoute {
    RestRoute {
        service,
        method,
        path,
        access,
        scope,
        foreign,
    }
}

const fn grpc(
    service: Service,
    path: &'static str,
    access: Access,
    scope: &'static str,
) -> GrpcMethod {
    GrpcMethod {
        service,
        path,
        access,
        scope,
    }
}

const ADMIN: Access = Roles(&[Admin]);
const CATALOGUE_ADMIN: Access = Roles(&[CatalogueAdmin]);
const ONE_STOP: Access = Roles(&[OneStopOfficer]);
const AT_ONE_STOP: Access = Roles(&[OneStopOfficer, Citizen, Portal]);
const ANY_PERSON: Access = Roles(&[
    Citizen,
    Portal,
    OneStopOfficer,
    Specialist,
    AgencyHead,
    SectorSystem,
    CatalogueAdmin,
    Inspector,
    Admin,
]);
const REGISTER: Access = Roles(&[OneStopOfficer, AgencyHead, Inspector, Admin]);
const DOSSIER_READERS: Access = Roles(&[
    Citizen,
    Portal,
    OneStopOfficer,
    Specialist,
    AgencyHead,
    SectorSystem,
    Inspector,
    Admin,
]);
const SECTOR_SYSTEM: Access = Roles(&[SectorSystem]);
const HOLDERS: Access = Roles(&[OneStopOfficer, Specialist, AgencyHead, SectorSystem]);
const INSPECTION: Access = Roles(&[Inspector, Admin]);
const STAFF: Access = Roles(&[OneStopOfficer, Specialist, AgencyHead, SectorSystem]);
const CASE_READERS: Access = Roles(&[
    OneStopOfficer,
    Specialist,
    AgencyHead,
    SectorSystem,
    Inspector,
    Admin,
]);
const REPORT_READERS: Access = Roles(&[OneStopOfficer, AgencyHead, Inspector, Admin]);
const FEEDBACK_READERS: Access = Roles(&[OneStopOfficer, Specialist, AgencyHead, Inspector, Admin]);
/// Who may subscribe to webhooks: sector systems, agency heads, admins.
const SUBSCRIBERS: Access = Roles(&[SectorSystem, AgencyHead, Admin]);
const SERVICE: Access = Roles(&[Svc]);
const SERVICE_OR_INSPECTION: Access = Roles(&[Svc, Inspector, Admin]);

/// Every REST route, per service (platform routes under [`Service::Every`]).
#[rustfmt::skip]
pub static REST: &[RestRoute] = &[
    rest(Every, "GET", "/healthz", Public, Same, "liveness"),
    rest(Every, "GET", "/readyz", Public, Same, "readiness, a fixed word"),
    rest(Every, "GET", "/metrics", Public, Same, "Prometheus text"),
    rest(Every, "GET", "/openapi.json", Public, Same, "the service's document"),
    rest(Every, "GET", "/api/v1/admin/test-clock", ADMIN, Same, "only with MOTCUA_TEST_CLOCK=1"),
    rest(Every, "PUT", "/api/v1/admin/test-clock", ADMIN, Same, "only with MOTCUA_TEST_CLOCK=1"),

    rest(Catalogue, "GET", "/api/v1/procedures", Public, Same, "search"),
    rest(Catalogue, "POST", "/api/v1/procedures", CATALOGUE_ADMIN, Same, "province-wide"),
    rest(Catalogue, "GET", "/api/v1/procedures/{code}", Public, Same, "version in force"),
    rest(Catalogue, "GET", "/api/v1/agencies", Public, Same, "with validity and successor"),
    rest(Catalogue, "GET", "/api/v1/agencies/{code}", Public, Same, "with validity and successor"),
    rest(Catalogue, "PUT", "/api/v1/agencies/{code}/working-sessions", CATALOGUE_ADMIN, Same, "province-wide"),
    rest(Catalogue, "GET", "/api/v1/calendar/deadline", Public, Same, "computation"),
    rest(Catalogue, "GET", "/api/v1/calendar/{year}", Public, Same, "the year's calendar"),
    rest(Catalogue, "PUT", "/api/v1/calendar/{year}", CATALOGUE_ADMIN, Same, "province-wide, audited"),
    rest(Catalogue, "GET", "/api/v1/listings/stale", Roles(&[CatalogueAdmin, Inspector, Admin]), Same, "province-wide"),
    rest(Catalogue, "GET", "/api/v1/listings/{one_stop}", Public, Same, "what a counter displays"),
    rest(Catalogue, "PUT", "/api/v1/listings/{one_stop}", CATALOGUE_ADMIN, Same, "province-wide"),

    rest(Intake, "POST", "/api/v1/dossiers", ANY_PERSON, Same,
        "channel rule: officers at the counter or by post (at their own unit), citizens and the portal online; \
         anyone else 403 intake_outside_one_stop, the attempt recorded for inspectors"),
    rest(Intake, "GET", "/api/v1/dossiers", REGISTER, AgencyNotAllowed,
        "own unit's register; inspectors and admins any agency or all"),
    rest(Intake, "GET", "/api/v1/dossiers/{code}", DOSSIER_READERS, NotFound,
        "its applicant, the receiving one-stop, staff of agencies on its path; inspectors and admins any"),
    rest(Intake, "GET", "/api/v1/dossiers/{code}/files/{file_id}", DOSSIER_READERS, NotFound,
        "who reads the dossier: its applicant, the receiving one-stop, staff and sector systems on its path"),
    rest(Intake, "GET", "/api/v1/dossiers/{code}/history", INSPECTION, Same, "province-wide"),
    rest(Intake, "GET", "/api/v1/dossiers/{code}/receipt", DOSSIER_READERS, NotFound,
        "who reads the dossier"),
    rest(Intake, "GET", "/api/v1/dossiers/{code}/forms/{form}", DOSSIER_READERS, NotFound,
        "who reads the dossier"),
    rest(Intake, "POST", "/api/v1/dossiers/{code}/supplement-requests", HOLDERS, NotFound,
        "the receiving one-stop, or staff of the agency holding it now"),
    rest(Intake, "POST", "/api/v1/dossiers/{code}/supplements", AT_ONE_STOP, NotFound,
        "its applicant, or the receiving one-stop"),
    rest(Intake, "POST", "/api/v1/dossiers/{code}/refusal", HOLDERS, NotFound,
        "the receiving one-stop, or staff of the agency holding it now"),
    rest(Intake, "POST", "/api/v1/dossiers/{code}/withdrawal", AT_ONE_STOP, NotFound,
        "its applicant, or the receiving one-stop"),
    rest(Intake, "POST", "/api/v1/dossiers/{code}/financial-obligation", ONE_STOP, NotFound, "the receiving one-stop"),
    rest(Intake, "POST", "/api/v1/dossiers/{code}/financial-obligation/payment", ONE_STOP, NotFound, "the receiving one-stop"),
    rest(Intake, "POST", "/api/v1/dossiers/{code}/result-return", ONE_STOP, NotFound, "the receiving one-stop"),
    rest(Intake, "POST", "/api/v1/dossiers/{code}/payment-orders", AT_ONE_STOP, NotFound,
        "its applicant, or the receiving one-stop; while it waits for its financial obligation"),
    rest(Intake, "GET", "/api/v1/dossiers/{code}/payment-orders", DOSSIER_READERS, NotFound,
        "who reads the dossier"),
    rest(Intake, "POST", "/api/v1/payments/callback", Public, Same,
        "the payment gateway, authenticated by the HMAC-SHA256 signature of its notification (docs/payments.md)"),
    rest(Intake, "GET", "/api/v1/public/dossiers/{code}", Public, Same,
        "with the applicant's ID's last 4 digits; quota per client"),

    rest(Workflow, "GET", "/api/v1/tasks", STAFF, OwnOnly, "own agency's inbox (a sector system: its sector's)"),
    rest(Workflow, "POST", "/api/v1/tasks/{id}/claim", STAFF, AgencyNotAllowed,
        "a step of the caller's agency (and sector)"),
    rest(Workflow, "POST", "/api/v1/tasks/{id}/complete", STAFF, AgencyNotAllowed,
        "a step of the caller's agency (and sector), claimed by the caller or open"),
    rest(Workflow, "GET", "/api/v1/dossiers/{code}/case", CASE_READERS, NotFound,
        "the receiving agency and agencies on its path; inspectors and admins any"),
    rest(Workflow, "GET", "/api/v1/dossiers/{code}/handovers", CASE_READERS, NotFound,
        "the receiving agency and agencies on its path; inspectors and admins any"),
    rest(Workflow, "POST", "/api/v1/dossiers/{code}/extensions", Roles(&[AgencyHead]), NotFound,
        "the head of an agency with a running step"),
    rest(Workflow, "GET", "/api/v1/overdue", Roles(&[OneStopOfficer, Specialist, AgencyHead, SectorSystem, Inspector, Admin]),
        AgencyNotAllowed, "own agency; inspectors and admins province-wide"),
    rest(Workflow, "POST", "/api/v1/overdue/scan", ADMIN, Same, "province-wide"),
    rest(Workflow, "POST", "/api/v1/subscriptions", SUBSCRIBERS, Same,
        "owned by the caller, for its agency (and a sector system's sector); an admin's for every agency"),
    rest(Workflow, "GET", "/api/v1/subscriptions", SUBSCRIBERS, OwnOnly, "the caller's own; admins every one"),
    rest(Workflow, "DELETE", "/api/v1/subscriptions/{id}", SUBSCRIBERS, NotFound,
        "the caller's own (another account's is 404 as unknown); admins any"),
    rest(Workflow, "POST", "/api/v1/subscriptions/{id}/secret", SUBSCRIBERS, NotFound,
        "the caller's own (another account's is 404 as unknown); admins any"),
    rest(Workflow, "GET", "/api/v1/dead-letters", ADMIN, Same, "province-wide: dead webhook deliveries"),
    rest(Workflow, "POST", "/api/v1/dead-letters/{id}/replay", ADMIN, Same, "province-wide"),

    rest(Reporting, "GET", "/api/v1/reports/handling", REPORT_READERS, AgencyNotAllowed,
        "own agency; inspectors and admins any agency or all"),
    rest(Reporting, "GET", "/api/v1/reports/overdue", REPORT_READERS, AgencyNotAllowed,
        "own agency; inspectors and admins any agency or all"),
    rest(Reporting, "GET", "/api/v1/reports/compliance", REPORT_READERS, AgencyNotAllowed,
        "own agency; inspectors and admins any agency or all"),
    rest(Reporting, "GET", "/api/v1/reports/service-index", REPORT_READERS, AgencyNotAllowed,
        "own agency; inspectors and admins any agency or all"),
    rest(Reporting, "GET", "/api/v1/reports/received-daily", REPORT_READERS, AgencyNotAllowed,
        "own agency; inspectors and admins any agency or all"),
    rest(Reporting, "GET", "/api/v1/reports/dossiers/{code}", REPORT_READERS, NotFound,
        "the receiving agency and agencies on its path; inspectors and admins any"),
    rest(Reporting, "POST", "/api/v1/dossiers/{code}/rating", Roles(&[Citizen, Portal]), NotFound,
        "its online applicant, or the portal for them; once, after the result was handed back"),
    rest(Reporting, "POST", "/api/v1/feedback", AT_ONE_STOP, Same, "addressed to any agency"),
    rest(Reporting, "GET", "/api/v1/feedback", FEEDBACK_READERS, AgencyNotAllowed,
        "own agency's; inspectors and admins any agency or all"),
    rest(Reporting, "POST", "/api/v1/feedback/{id}/answer", Roles(&[OneStopOfficer, Specialist, AgencyHead]),
        AgencyNotAllowed, "staff of the agency it is addressed to, once"),
    rest(Reporting, "POST", "/api/v1/feedback/{id}/rating", AT_ONE_STOP, Same, "whoever filed it"),
];

/// Every gRPC method, per service (health, reflection and the audit trail under
/// [`Service::Every`]).
#[rustfmt::skip]
pub static GRPC: &[GrpcMethod] = &[
    grpc(Every, "/grpc.health.v1.Health/Check", Public, "probe"),
    grpc(Every, "/grpc.health.v1.Health/Watch", Public, "probe"),
    grpc(Every, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", Public, "the service's own descriptors"),
    grpc(Every, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", Public, "the service's own descriptors"),
    grpc(Every, "/motcua.audit.v1.AuditTrail/Records", SERVICE, "a target's records (intake exports a dossier's history)"),

    grpc(Catalogue, "/motcua.catalogue.v1.CatalogueService/GetProcedure", Public, "as its REST twin"),
    grpc(Catalogue, "/motcua.catalogue.v1.CatalogueService/GetAgency", Public, "as its REST twin"),
    grpc(Catalogue, "/motcua.catalogue.v1.CatalogueService/ComputeDeadline", Public, "as its REST twin"),
    grpc(Catalogue, "/motcua.catalogue.v1.CatalogueService/ListProcedures", Public, "as its REST twin"),
    grpc(Catalogue, "/motcua.catalogue.v1.CatalogueService/ValidateComponents", Public, "computation"),
    grpc(Catalogue, "/motcua.catalogue.v1.CatalogueService/WorkingElapsed", Public, "computation"),
    grpc(Catalogue, "/motcua.catalogue.v1.CatalogueService/AddWorkingTime", Public, "computation"),
    grpc(Catalogue, "/motcua.catalogue.v1.CatalogueService/GetCalendar", Public, "as its REST twin"),
    grpc(Catalogue, "/motcua.catalogue.v1.CatalogueService/ListStaleListings", SERVICE_OR_INSPECTION, "province-wide"),

    grpc(Intake, "/motcua.common.v1.EventReceiver/DeliverEvent", SERVICE, "events of the other services"),
    grpc(Intake, "/motcua.common.v1.EventReceiver/DeliverEvents", SERVICE, "events of the other services"),
    grpc(Intake, "/motcua.intake.v1.IntakeService/GetDossier", SERVICE_OR_INSPECTION, "province-wide"),
    grpc(Intake, "/motcua.intake.v1.IntakeService/RequestSupplement", SERVICE,
        "for the agency's person named in the request (the same rules as REST)"),
    grpc(Intake, "/motcua.intake.v1.IntakeService/Refuse", SERVICE,
        "for the agency's person named in the request (the same rules as REST)"),
    grpc(Intake, "/motcua.intake.v1.IntakeService/GetDossierContents", SERVICE,
        "province-wide (workflow's connector checks the sector system's step first)"),
    grpc(Intake, "/motcua.intake.v1.IntakeService/GetFile", SERVICE,
        "province-wide (workflow's connector checks the sector system's step first)"),

    grpc(Workflow, "/motcua.common.v1.EventReceiver/DeliverEvent", SERVICE, "events of the other services"),
    grpc(Workflow, "/motcua.common.v1.EventReceiver/DeliverEvents", SERVICE, "events of the other services"),
    grpc(Workflow, "/motcua.workflow.v1.WorkflowService/GetCase", SERVICE_OR_INSPECTION, "province-wide"),
    grpc(Workflow, "/motcua.workflow.v1.WorkflowService/GetHandovers", SERVICE_OR_INSPECTION, "province-wide"),
    grpc(Workflow, "/motcua.connector.v1.SectorConnector/StreamTasks", SECTOR_SYSTEM,
        "the steps of the account's agency (and sector)"),
    grpc(Workflow, "/motcua.connector.v1.SectorConnector/AckTask", SECTOR_SYSTEM,
        "a step of the account's agency (and sector)"),
    grpc(Workflow, "/motcua.connector.v1.SectorConnector/CompleteTask", SECTOR_SYSTEM,
        "a step of the account's agency (and sector), claimed by the account or open"),
    grpc(Workflow, "/motcua.connector.v1.SectorConnector/GetDossier", SECTOR_SYSTEM,
        "a dossier the account has a step of; any other answers as unknown"),
    grpc(Workflow, "/motcua.connector.v1.SectorConnector/GetFile", SECTOR_SYSTEM,
        "a file of a dossier the account has a step of; any other answers as unknown"),

    grpc(Reporting, "/motcua.common.v1.EventReceiver/DeliverEvent", SERVICE, "events of the other services"),
    grpc(Reporting, "/motcua.common.v1.EventReceiver/DeliverEvents", SERVICE, "events of the other services"),
    grpc(Reporting, "/motcua.reporting.v1.ReportingService/DailyReceived", SERVICE_OR_INSPECTION, "province-wide"),
];

//! The registry of error codes (danh mục mã lỗi): every `code` a client can receive, declared
//! once with its HTTP status and Vietnamese title (problems) or its meaning (field errors).
//!
//! A [`Problem`](crate::Problem) can only be built from a [`ProblemCode`] of this registry and a
//! [`FieldError`](crate::FieldError) from a [`FieldCode`], so a handler cannot answer a code that
//! is not declared. `docs/errors.md` is generated from these tables (a test fails when it
//! differs: `MOTCUA_BLESS=1 cargo test -p motcua-problem` rewrites it).

/// A declared problem code: what a whole request failed with.
#[derive(Debug, PartialEq, Eq)]
pub struct ProblemCode {
    /// Stable snake_case code clients switch on.
    pub code: &'static str,
    /// HTTP status it is answered with.
    pub status: u16,
    /// Short Vietnamese title (RFC 9457 `title`).
    pub title: &'static str,
    /// When it is answered (English, for the integrator's documentation).
    pub meaning: &'static str,
}

/// A declared field error code: what is wrong with one field of a request.
#[derive(Debug, PartialEq, Eq)]
pub struct FieldCode {
    /// Stable snake_case code.
    pub code: &'static str,
    /// What it means (English, for the integrator's documentation).
    pub meaning: &'static str,
}

macro_rules! problems {
    ($($(#[doc = $doc:literal])+ $name:ident = ($code:literal, $status:literal, $title:literal);)+) => {
        $(
            $(#[doc = $doc])+
            pub const $name: ProblemCode = ProblemCode {
                code: $code,
                status: $status,
                title: $title,
                meaning: concat!($($doc),+),
            };
        )+
        /// Every declared problem code.
        pub const PROBLEMS: &[&ProblemCode] = &[$(&$name),+];
    };
}

macro_rules! fields {
    ($($(#[doc = $doc:literal])+ $name:ident = $code:literal;)+) => {
        $(
            $(#[doc = $doc])+
            pub const $name: FieldCode = FieldCode { code: $code, meaning: concat!($($doc),+) };
        )+
        /// Every declared field error code.
        pub const FIELDS: &[&FieldCode] = &[$(&$name),+];
    };
}

problems! {
    // --- platform: every service ---
    /// No bearer token, or one that does not verify.
    UNAUTHORIZED = ("unauthorized", 401, "Chưa xác thực");
    /// The caller's roles do not allow this action.
    ROLE_NOT_ALLOWED = ("role_not_allowed", 403, "Vai trò không được phép");
    /// The caller acts for another agency than the one this concerns (or for none).
    AGENCY_NOT_ALLOWED = ("agency_not_allowed", 403, "Cơ quan không được phép");
    /// A peer service refused the call (permission denied, without details).
    FORBIDDEN = ("forbidden", 403, "Không có quyền thực hiện");
    /// No such endpoint.
    ROUTE_NOT_FOUND = ("route_not_found", 404, "Không có địa chỉ này");
    /// Something asked for does not exist (a peer answered NOT_FOUND without details, or the test clock is off).
    NOT_FOUND = ("not_found", 404, "Không tìm thấy");
    /// A peer service reported a conflict without details.
    CONFLICT = ("conflict", 409, "Xung đột trạng thái");
    /// The request body is larger than this route accepts (1 MiB by default; the routes that take files accept more, see docs/configuration.md).
    BODY_TOO_LARGE = ("body_too_large", 413, "Nội dung yêu cầu quá lớn");
    /// The body is not `application/json`.
    UNSUPPORTED_MEDIA_TYPE = ("unsupported_media_type", 415, "Định dạng không được hỗ trợ");
    /// The body is not valid JSON, or not of the expected shape; `errors` names the place.
    INVALID_BODY = ("invalid_body", 422, "Nội dung yêu cầu không hợp lệ");
    /// A query parameter is malformed; `errors` names it.
    INVALID_QUERY = ("invalid_query", 422, "Tham số truy vấn không hợp lệ");
    /// A path parameter is malformed.
    INVALID_PATH = ("invalid_path", 422, "Tham số đường dẫn không hợp lệ");
    /// A peer rejected an argument without details.
    INVALID_ARGUMENT = ("invalid_argument", 422, "Tham số không hợp lệ");
    /// Text that cannot be stored (a NUL character, invalid encoding).
    INVALID_TEXT = ("invalid_text", 422, "Văn bản chứa ký tự không lưu được");
    /// Too many requests from this client, or too many wrong answers for one code from this client; `Retry-After` says how many seconds to wait.
    RATE_LIMITED = ("rate_limited", 429, "Quá nhiều yêu cầu");
    /// A fault of ours; it was logged.
    INTERNAL_ERROR = ("internal_error", 500, "Lỗi hệ thống");
    /// The database is not reachable; retry later.
    DATABASE_UNAVAILABLE = ("database_unavailable", 503, "Cơ sở dữ liệu tạm thời không sẵn sàng");
    /// A database statement ran past its time limit and was cancelled; nothing was written; retry later.
    DATABASE_TIMEOUT = ("database_timeout", 503, "Truy vấn cơ sở dữ liệu quá thời gian");
    /// The request took longer than the server allows and was stopped (a creating POST may still have been written: retry with the same `Idempotency-Key`).
    REQUEST_TIMEOUT = ("request_timeout", 503, "Yêu cầu xử lý quá thời gian");
    /// The service is serving as many requests as it may at once; retry after `Retry-After` seconds.
    OVERLOADED = ("overloaded", 503, "Hệ thống đang quá tải, hãy thử lại");
    /// A concurrent change conflicted (serialization failure, deadlock); nothing was written; retry.
    TRANSACTION_CONFLICT = ("transaction_conflict", 503, "Xung đột đồng thời, hãy thử lại");
    /// Documents are signed here but the issuing agency has no signing key configured (`MOTCUA_SIGNING_DIR`); the HTML rendition is still served.
    SIGNING_KEY_MISSING = ("signing_key_missing", 503, "Cơ quan chưa được cấu hình khóa ký số");
    /// The dossier has no such form: it was never issued for it (e.g. form 03 for a dossier not refused).
    FORM_NOT_ISSUED = ("form_not_issued", 404, "Hồ sơ không có biểu mẫu này");
    /// A service this request depends on failed; retry later.
    PEER_UNAVAILABLE = ("peer_unavailable", 503, "Dịch vụ liên quan tạm thời không sẵn sàng");
    /// The procedure catalogue is not reachable; retry later.
    CATALOGUE_UNAVAILABLE = ("catalogue_unavailable", 503, "Danh mục thủ tục tạm thời không sẵn sàng");
    /// An event delivered to a receiver is malformed.
    INVALID_EVENT = ("invalid_event", 422, "Sự kiện không hợp lệ");
    /// An event this service may not receive from the calling service.
    EVENT_NOT_ALLOWED = ("event_not_allowed", 403, "Dịch vụ không được gửi sự kiện này");

    // --- catalogue ---
    /// No procedure with this code (or none in force on the date asked).
    PROCEDURE_NOT_FOUND = ("procedure_not_found", 404, "Không có thủ tục");
    /// No agency with this code.
    AGENCY_NOT_FOUND = ("agency_not_found", 404, "Không có cơ quan");
    /// The calendar of that year is not loaded.
    CALENDAR_YEAR_NOT_LOADED = ("calendar_year_not_loaded", 404, "Chưa nạp lịch làm việc của năm");
    /// This version of the procedure is already published (published versions never change).
    VERSION_EXISTS = ("version_exists", 409, "Phiên bản thủ tục đã được công bố");
    /// The agency is not valid on the date concerned (retired, not yet created).
    AGENCY_NOT_VALID = ("agency_not_valid", 409, "Cơ quan không còn hiệu lực");
    /// A procedure version that fails validation; `errors` lists every problem.
    PROCEDURE_INVALID = ("procedure_invalid", 422, "Thủ tục không hợp lệ");
    /// A listing that fails validation; `errors` lists every problem.
    LISTING_INVALID = ("listing_invalid", 422, "Danh mục niêm yết không hợp lệ");
    /// A calendar year that fails validation.
    INVALID_CALENDAR = ("invalid_calendar", 422, "Lịch làm việc không hợp lệ");
    /// Working sessions that are malformed, out of order or overlapping.
    INVALID_SESSIONS = ("invalid_sessions", 422, "Giờ làm việc không hợp lệ");
    /// A listing for a unit that is not a one-stop unit.
    NOT_A_ONE_STOP = ("not_a_one_stop", 422, "Không phải bộ phận một cửa");

    // --- intake ---
    /// Dossiers are received only through the one-stop (its officers at the counter or by post, citizens and the portal online); the attempt was recorded.
    INTAKE_OUTSIDE_ONE_STOP = ("intake_outside_one_stop", 403, "Chỉ bộ phận một cửa được tiếp nhận hồ sơ");
    /// A citizen's token without the verified personal identification number (claim `id_number`): an online submission must say who submits.
    CITIZEN_IDENTITY_REQUIRED = ("citizen_identity_required", 403, "Tài khoản công dân chưa được định danh");
    /// No dossier with this code (or, on the public lookup, the digits do not match).
    DOSSIER_NOT_FOUND = ("dossier_not_found", 404, "Không tìm thấy hồ sơ");
    /// The dossier has no file with this id (`<position>-<index>`, as its components list them).
    FILE_NOT_FOUND = ("file_not_found", 404, "Không tìm thấy tệp của hồ sơ");
    /// The byte range asked for starts past the end of the file; `Content-Range` gives its size.
    RANGE_NOT_SATISFIABLE = ("range_not_satisfiable", 416, "Khoảng byte không hợp lệ");
    /// The stored content of a file does not match the SHA-256 recorded when it was handed in: nothing wrong was sent; it was logged for the operator.
    FILE_INTEGRITY_FAILED = ("file_integrity_failed", 500, "Tệp lưu trữ không khớp mã băm đã ghi nhận");
    /// The caller may not read this dossier.
    DOSSIER_NOT_ALLOWED = ("dossier_not_allowed", 403, "Không được xem hồ sơ này");
    /// The caller may not take this action on this dossier.
    DOSSIER_ACTION_NOT_ALLOWED = ("dossier_action_not_allowed", 403, "Không được thực hiện thao tác trên hồ sơ này");
    /// The submission has problems other than (or besides) its components; `errors` lists every one.
    VALIDATION_FAILED = ("validation_failed", 422, "Hồ sơ không hợp lệ");
    /// Only the components are at fault: missing required ones, ones not in the procedure, duplicates, counts.
    COMPONENTS_INVALID = ("components_invalid", 422, "Thành phần hồ sơ không hợp lệ");
    /// Codes follow Circular 04/2025 but the receiving agency has no code in that scheme.
    AGENCY_CODE_04_MISSING = ("agency_code_04_missing", 422, "Thiếu mã cơ quan theo Thông tư 04/2025");
    /// A creating POST without an `Idempotency-Key` header.
    IDEMPOTENCY_KEY_REQUIRED = ("idempotency_key_required", 422, "Thiếu khóa Idempotency-Key");
    /// This `Idempotency-Key` was used with a different request.
    IDEMPOTENCY_KEY_REUSED = ("idempotency_key_reused", 422, "Khóa Idempotency-Key đã dùng cho yêu cầu khác");
    /// This `Idempotency-Key` was used long enough ago that its answer is no longer kept
    /// (`MOTCUA_IDEMPOTENCY_RETENTION_HOURS`): the request was done once; read the resource.
    IDEMPOTENCY_KEY_EXPIRED = ("idempotency_key_expired", 409, "Khóa Idempotency-Key đã hết hạn lưu kết quả");
    /// The action is not allowed in the dossier's status; `current_state` and `action` say which.
    ILLEGAL_TRANSITION = ("illegal_transition", 409, "Thao tác không hợp lệ ở trạng thái hiện tại");
    /// A supplement may be requested only once per dossier (Decree 118/2025 Art. 11); the attempt was recorded.
    SUPPLEMENT_ALREADY_REQUESTED = ("supplement_already_requested", 409, "Hồ sơ đã được yêu cầu bổ sung một lần");
    /// The items of a supplement request are invalid; `errors` lists every one.
    SUPPLEMENT_ITEMS_INVALID = ("supplement_items_invalid", 422, "Nội dung yêu cầu bổ sung không hợp lệ");
    /// The applicant's supplement is invalid or incomplete; `errors` lists every problem.
    SUPPLEMENT_INVALID = ("supplement_invalid", 422, "Hồ sơ bổ sung không hợp lệ");
    /// The applicant's supplement window has passed.
    SUPPLEMENT_DEADLINE_PASSED = ("supplement_deadline_passed", 409, "Đã quá thời hạn bổ sung");
    /// The dossier's procedure version is no longer served by the catalogue.
    PROCEDURE_UNAVAILABLE = ("procedure_unavailable", 503, "Không đọc được phiên bản thủ tục của hồ sơ");
    /// A refusal (form 03) must state its specific reasons.
    REASONS_REQUIRED = ("reasons_required", 422, "Phải nêu rõ lý do");
    /// A financial obligation must list what is to be paid.
    ITEMS_REQUIRED = ("items_required", 422, "Phải nêu các khoản phải nộp");
    /// The action cannot predate the dossier's receipt.
    BEFORE_RECEIPT = ("before_receipt", 422, "Thời điểm trước khi tiếp nhận hồ sơ");
    /// The result cannot be returned in the future.
    RETURNED_AT_IN_FUTURE = ("returned_at_in_future", 422, "Thời điểm trả kết quả ở tương lai");
    /// Online payment is not configured here (`MOTCUA_PAYMENT_GATEWAY_URL`, `MOTCUA_PAYMENT_MERCHANT_ID`, `MOTCUA_PAYMENT_SECRET`); pay at the counter.
    PAYMENT_GATEWAY_NOT_CONFIGURED = ("payment_gateway_not_configured", 503, "Chưa cấu hình cổng thanh toán trực tuyến");
    /// The dossier does not wait for a financial obligation (status 6), or there is nothing to pay.
    PAYMENT_NOT_DUE = ("payment_not_due", 409, "Hồ sơ không chờ thực hiện nghĩa vụ tài chính");
    /// A payment notification whose signature does not verify with the shared secret; it was logged and nothing else changed.
    PAYMENT_SIGNATURE_INVALID = ("payment_signature_invalid", 401, "Chữ ký thông báo thanh toán không hợp lệ");
    /// No payment order with this id.
    PAYMENT_ORDER_NOT_FOUND = ("payment_order_not_found", 404, "Không tìm thấy lệnh thanh toán");
    /// The notified amount differs from the payment order's.
    PAYMENT_AMOUNT_MISMATCH = ("payment_amount_mismatch", 422, "Số tiền không khớp lệnh thanh toán");
    /// The notification names another merchant than motcua's.
    PAYMENT_MERCHANT_MISMATCH = ("payment_merchant_mismatch", 422, "Mã đơn vị chấp nhận thanh toán không khớp");
    /// The payment was made after the order expired: it is not recorded (the gateway refunds it).
    PAYMENT_ORDER_EXPIRED = ("payment_order_expired", 409, "Lệnh thanh toán đã hết hạn");
    /// The order was paid already by another transaction: this one is not recorded (the gateway refunds it).
    PAYMENT_ORDER_ALREADY_PAID = ("payment_order_already_paid", 409, "Lệnh thanh toán đã được thanh toán");
    /// The gateway's transaction id is recorded for another payment order.
    PAYMENT_TRANSACTION_REUSED = ("payment_transaction_reused", 409, "Mã giao dịch đã được dùng cho lệnh thanh toán khác");

    // --- workflow ---
    /// The dossier has no case (yet).
    CASE_NOT_FOUND = ("case_not_found", 404, "Không có hồ sơ đang giải quyết");
    /// No task with this id.
    TASK_NOT_FOUND = ("task_not_found", 404, "Không có bước xử lý");
    /// The case is paused (waiting for the applicant or a payment) or closed; `case_state` says which.
    CASE_NOT_OPEN = ("case_not_open", 409, "Hồ sơ đang tạm dừng hoặc đã kết thúc");
    /// Another person holds the task; `claimed_by` says who.
    TASK_CLAIMED = ("task_claimed", 409, "Bước xử lý đang do người khác thực hiện");
    /// The task is not open (pending, done or cancelled); `state` says which.
    TASK_NOT_OPEN = ("task_not_open", 409, "Bước xử lý không ở trạng thái chờ xử lý");
    /// The completion body is invalid for its outcome; `errors` lists every problem.
    COMPLETION_INVALID = ("completion_invalid", 422, "Kết quả xử lý không hợp lệ");
    /// One apology and re-appointment per dossier (form 04): one was already granted.
    EXTENSION_ALREADY_GRANTED = ("extension_already_granted", 409, "Hồ sơ đã được gia hạn một lần");
    /// An extension must be filed at least 1 working day before the dossier's deadline.
    EXTENSION_TOO_LATE = ("extension_too_late", 409, "Đã quá thời hạn xin gia hạn");
    /// The extension request is invalid (no reason, an appointment not after the deadline); `errors` says why.
    EXTENSION_INVALID = ("extension_invalid", 422, "Đề nghị gia hạn không hợp lệ");
    /// Only the head of an agency whose step is running (or running late) may apologise and re-appoint.
    EXTENSION_NOT_ALLOWED = ("extension_not_allowed", 403, "Chỉ thủ trưởng cơ quan đang giải quyết được xin gia hạn");
    /// A webhook subscription with a URL that is not an absolute `http`/`https` URL, or with no or unknown event types; `errors` lists every problem.
    SUBSCRIPTION_INVALID = ("subscription_invalid", 422, "Đăng ký nhận sự kiện không hợp lệ");
    /// No webhook subscription with this id among the caller's (another account's answers the same).
    SUBSCRIPTION_NOT_FOUND = ("subscription_not_found", 404, "Không có đăng ký nhận sự kiện");
    /// No dead webhook delivery with this id.
    DEAD_LETTER_NOT_FOUND = ("dead_letter_not_found", 404, "Không có lần gửi sự kiện thất bại này");
    /// A rating's scores are not each 1 to 5.
    RATING_INVALID = ("rating_invalid", 422, "Đánh giá không hợp lệ");
    /// The dossier's result has not been handed back yet: there is nothing to rate.
    RATING_NOT_OPEN = ("rating_not_open", 409, "Hồ sơ chưa trả kết quả, chưa thể đánh giá");
    /// The dossier was rated already (once per dossier).
    ALREADY_RATED = ("already_rated", 409, "Hồ sơ đã được đánh giá");
    /// No feedback with this id.
    FEEDBACK_NOT_FOUND = ("feedback_not_found", 404, "Không tìm thấy phản ánh, kiến nghị");
    /// The feedback is invalid (empty content, unknown agency…).
    FEEDBACK_INVALID = ("feedback_invalid", 422, "Phản ánh, kiến nghị không hợp lệ");
    /// The feedback was answered already (once).
    FEEDBACK_ALREADY_ANSWERED = ("feedback_already_answered", 409, "Phản ánh, kiến nghị đã được trả lời");
    /// The answer has not been given yet, or was judged already.
    FEEDBACK_NOT_JUDGEABLE = ("feedback_not_judgeable", 409, "Chưa thể đánh giá câu trả lời");
}

fields! {
    // --- any request ---
    /// A required value is absent or empty.
    REQUIRED = "required";
    /// The body is not JSON of the expected shape (the message says where).
    INVALID_JSON = "invalid_json";
    /// A value that is not acceptable.
    INVALID_VALUE = "invalid_value";
    /// A text longer than its documented maximum (`maxLength`).
    TOO_LONG = "too_long";
    /// A query parameter that cannot be read.
    INVALID_QUERY_PARAMETER = "invalid_query";
    /// A path parameter that cannot be read.
    INVALID_PATH_PARAMETER = "invalid_path";
    /// A date that is not `YYYY-MM-DD`.
    INVALID_DATE = "invalid_date";
    /// An instant that is not RFC 3339.
    INVALID_DATETIME = "invalid_datetime";
    /// A range whose end is before its start.
    AFTER_TO = "after_to";
    /// Give exactly one of the alternatives.
    EXACTLY_ONE = "exactly_one";
    /// An instant in the future where only the past makes sense.
    IN_FUTURE = "in_future";
    /// An instant before the dossier's receipt.
    BEFORE_RECEIPT_FIELD = "before_receipt";
    /// An `Idempotency-Key` used for a different request.
    IDEMPOTENCY_KEY_REUSED_FIELD = "idempotency_key_reused";

    // --- dossier submission and supplement ---
    /// Not a valid personal identification number (12 digits, known prefix, birth year not in the future).
    INVALID_PERSONAL_ID = "invalid_personal_id";
    /// A citizen submits online for someone else without declaring themselves the applicant's representative.
    REPRESENTATIVE_REQUIRED = "representative_required";
    /// The declared representative is not the citizen submitting (their verified ID number differs).
    REPRESENTATIVE_NOT_CALLER = "representative_not_caller";
    /// Not an enterprise tax code: 10 digits with a valid check digit, optionally `-` and 3 digits.
    INVALID_TAX_CODE = "invalid_tax_code";
    /// The receiving agency is unknown.
    AGENCY_UNKNOWN = "agency_unknown";
    /// No version of the procedure is in force on the receipt date.
    PROCEDURE_NOT_IN_FORCE = "procedure_not_in_force";
    /// The procedure has no such case (trường hợp).
    CASE_UNKNOWN = "case_unknown";
    /// The procedure does not offer this submission method.
    METHOD_NOT_OFFERED = "method_not_offered";
    /// The receiving agency has no Circular 04/2025 code.
    AGENCY_CODE_04_MISSING_FIELD = "agency_code_04_missing";
    /// A required component of the procedure was not submitted (`component_code` names it).
    COMPONENT_MISSING = "component_missing";
    /// A component that is not in the procedure (`component_code` names it).
    COMPONENT_UNEXPECTED = "component_unexpected";
    /// The same component submitted twice.
    COMPONENT_DUPLICATE = "component_duplicate";
    /// Fewer originals or copies than the procedure asks for.
    COMPONENT_COUNT = "component_count";
    /// An original/copy count over 1000.
    COUNT_OUT_OF_RANGE = "count_out_of_range";
    /// More than 50 files in one submission.
    TOO_MANY_FILES = "too_many_files";
    /// More than 45 MiB of files in one submission.
    FILES_TOO_LARGE = "files_too_large";
    /// One file over 20 MiB.
    FILE_TOO_LARGE = "file_too_large";
    /// An electronic component without files.
    FILES_REQUIRED = "files_required";
    /// A media type that is not accepted.
    MEDIA_TYPE_NOT_ALLOWED = "media_type_not_allowed";
    /// File content that is not base64.
    INVALID_BASE64 = "invalid_base64";
    /// The declared size differs from the content.
    SIZE_MISMATCH = "size_mismatch";
    /// The declared sha256 differs from the content.
    SHA256_MISMATCH = "sha256_mismatch";

    // --- supplement request (form 02) and its answer ---
    /// A supplement item citing a component that is not in the procedure; the attempt was recorded.
    SUPPLEMENT_ITEM_NOT_IN_PROCEDURE = "supplement_item_not_in_procedure";
    /// A document the state holds in a national database may not be demanded; the attempt was recorded.
    OBTAINABLE_FROM_NATIONAL_DATABASE = "obtainable_from_national_database";
    /// A defect named for a component that was not submitted.
    DEFECT_OF_UNSUBMITTED_COMPONENT = "defect_of_unsubmitted_component";
    /// The same component named twice in one request.
    DUPLICATE_ITEM = "duplicate_item";
    /// A supplemented component that was not requested.
    COMPONENT_NOT_REQUESTED = "component_not_requested";
    /// A requested component missing from the supplement.
    SUPPLEMENT_INCOMPLETE = "supplement_incomplete";

    // --- workflow ---
    /// A task outcome that needs other fields (items for `return_for_supplement`, reasons for `refuse`).
    OUTCOME_FIELDS_MISSING = "outcome_fields_missing";
    /// A new appointment that is not after the dossier's current deadline.
    NOT_AFTER_DEADLINE = "not_after_deadline";
    /// Not an absolute `http` or `https` URL with a host.
    INVALID_URL = "invalid_url";
    /// An event type that is not offered to webhook subscribers (`docs/connectors.md` lists them).
    EVENT_TYPE_UNKNOWN = "event_type_unknown";

    // --- catalogue administration (catalogue files, published versions, listings) ---
    /// A value of the wrong JSON type for its place.
    INVALID_SHAPE = "invalid_shape";
    /// A mandatory field is absent.
    MISSING_FIELD = "missing_field";
    /// A field the format does not know.
    UNKNOWN_FIELD = "unknown_field";
    /// An agency kind other than `one_stop`, `agency`, `sector_system`.
    INVALID_AGENCY_KIND = "invalid_agency_kind";
    /// A level other than `province`, `commune`.
    INVALID_LEVEL = "invalid_level";
    /// An online level other than `full`, `partial`.
    INVALID_ONLINE_LEVEL = "invalid_online_level";
    /// A method other than `counter`, `online`, `postal`.
    INVALID_METHOD = "invalid_method";
    /// An applicant type other than `citizen`, `organisation`.
    INVALID_APPLICANT_TYPE = "invalid_applicant_type";
    /// A supplement clock policy other than `restart`, `pause`, `continue`.
    INVALID_CLOCK_POLICY = "invalid_clock_policy";
    /// A time of day that is not `HH:MM`.
    INVALID_TIME = "invalid_time";
    /// An agency code that is empty or contains white space.
    INVALID_AGENCY_CODE = "invalid_agency_code";
    /// Two agencies with the same code.
    DUPLICATE_AGENCY = "duplicate_agency";
    /// A reference to an agency that is not in the catalogue.
    UNKNOWN_AGENCY = "unknown_agency";
    /// `valid_until` before `valid_from`.
    INVALID_VALIDITY_PERIOD = "invalid_validity_period";
    /// Following successors comes back to where it started.
    SUCCESSION_CYCLE = "succession_cycle";
    /// Following parents comes back to where it started.
    PARENT_CYCLE = "parent_cycle";
    /// An administrative-unit code that is not 2 or 5 digits.
    INVALID_UNIT_CODE = "invalid_unit_code";
    /// An agency code in the Circular 04/2025 scheme that is not `MX1X2.Y1Y2Y3.Z1Z2`.
    INVALID_AGENCY_CODE_04 = "invalid_agency_code_04";
    /// Working sessions that overlap or are out of order.
    INVALID_WORKING_SESSIONS = "invalid_working_sessions";
    /// A procedure code that is neither national nor local.
    INVALID_PROCEDURE_CODE = "invalid_procedure_code";
    /// Version 0 (versions count from 1).
    INVALID_VERSION = "invalid_version";
    /// The same (code, version) twice.
    DUPLICATE_VERSION = "duplicate_version";
    /// Two versions of one code that take effect on the same day.
    DUPLICATE_EFFECTIVE_FROM = "duplicate_effective_from";
    /// `effective_until` before `effective_from`.
    INVALID_EFFECTIVE_PERIOD = "invalid_effective_period";
    /// A text field that must say something but is empty.
    EMPTY_VALUE = "empty_value";
    /// A time limit of zero that is not a same-day limit.
    INVALID_TIME_LIMIT = "invalid_time_limit";
    /// An explicit, empty list of methods.
    NO_METHOD = "no_method";
    /// The same method listed twice.
    DUPLICATE_METHOD = "duplicate_method";
    /// Two components with the same code in one list.
    DUPLICATE_COMPONENT = "duplicate_component";
    /// A component with an empty code.
    INVALID_COMPONENT_CODE = "invalid_component_code";
    /// A component asking for no original and no copy.
    INVALID_COMPONENT_COUNT = "invalid_component_count";
    /// A case with an empty code.
    INVALID_CASE_CODE = "invalid_case_code";
    /// Two cases with the same code.
    DUPLICATE_CASE = "duplicate_case";
    /// A step without exactly one positive budget.
    INVALID_STEP_BUDGET = "invalid_step_budget";
    /// One parallel group used by steps that are not consecutive.
    PARALLEL_GROUP_SPLIT = "parallel_group_split";
    /// A step's sector differs from its agency's sector.
    SECTOR_MISMATCH = "sector_mismatch";
    /// The process template takes longer than the time limit.
    TEMPLATE_OVER_BUDGET = "template_over_budget";
    /// A listing whose unit is not a one-stop unit.
    NOT_A_ONE_STOP_FIELD = "not_a_one_stop";
    /// Two listings for the same one-stop unit.
    DUPLICATE_LISTING = "duplicate_listing";
    /// A listed procedure version that is not in the catalogue.
    UNKNOWN_PROCEDURE = "unknown_procedure";
    /// The same procedure listed twice in one listing.
    DUPLICATE_LISTED_PROCEDURE = "duplicate_listed_procedure";
    /// Two procedures with the same code in one file or request.
    DUPLICATE_PROCEDURE = "duplicate_procedure";
    /// A calendar year that cannot be read.
    INVALID_CALENDAR_FIELD = "invalid_calendar";
    /// Working sessions that cannot be read.
    INVALID_SESSIONS_FIELD = "invalid_sessions";
}

/// The declared problem code `code`, if any (for answers relayed from a peer service).
pub fn problem(code: &str) -> Option<&'static ProblemCode> {
    PROBLEMS.iter().copied().find(|p| p.code == code)
}

/// The declared field code `code`, if any.
pub fn field(code: &str) -> Option<&'static FieldCode> {
    FIELDS.iter().copied().find(|f| f.code == code)
}

/// `docs/errors.md`, rendered from the registry.
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# Error codes\n\n\
         Every `code` a client of motcua can receive, generated from the registry in\n\
         `crates/motcua-problem/src/codes.rs` (a test fails when this page and the registry differ;\n\
         `MOTCUA_BLESS=1 cargo test -p motcua-problem` rewrites it). Errors are RFC 9457\n\
         `application/problem+json` bodies: `type` (`urn:motcua:problem:<code>`), `title`\n\
         (Vietnamese), `status`, `detail`, `code`, and `errors: [{field, code, message}]` naming each\n\
         field at fault (see `../shared/api.md`).\n\n",
    );
    // How the same problem reads on gRPC: prose kept next to its code (src/grpc.rs).
    out.push_str(include_str!("grpc_errors.md"));
    out.push_str("\n## Problem codes\n\n| code | HTTP | title | when |\n|---|---|---|---|\n");
    for p in PROBLEMS {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            p.code,
            p.status,
            p.title,
            p.meaning.trim()
        ));
    }
    out.push_str("\n## Field error codes\n\n| code | meaning |\n|---|---|\n");
    for f in FIELDS {
        out.push_str(&format!("| `{}` | {} |\n", f.code, f.meaning.trim()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_declared_once() {
        for (i, p) in PROBLEMS.iter().enumerate() {
            assert!(
                !PROBLEMS[..i].iter().any(|q| q.code == p.code),
                "problem code {} declared twice",
                p.code
            );
            assert!(
                (400..600).contains(&p.status),
                "{} has a non-error status",
                p.code
            );
        }
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(
                !FIELDS[..i].iter().any(|g| g.code == f.code),
                "field code {} declared twice",
                f.code
            );
        }
    }

    #[test]
    fn every_code_of_the_catalogue_model_is_declared() {
        for code in motcua_catalogue_model::codes::ALL {
            assert!(
                field(code).is_some(),
                "catalogue model code {code} is not in the registry"
            );
        }
    }

    #[test]
    fn docs_errors_md_is_the_registry() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md");
        let want = render_markdown();
        if std::env::var_os("MOTCUA_BLESS").is_some() {
            std::fs::write(path, &want).expect("write docs/errors.md");
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/errors.md differs from the registry: run MOTCUA_BLESS=1 cargo test -p motcua-problem"
        );
    }
}

// English texts. The keys are the catalog's keys: messages.zh-CN.ts must have exactly these
// (catalog.test.ts). Error titles come from the error catalog (core/errors.ts) as `error.<code>`.
// Placeholders are {{name}} (i18next interpolation, not HTML-escaped: these are plain text).

export const en = {
  // Notices to a tenant's contact (services/low-balance.ts, services/contracts.ts, events/notifications.ts)
  'notice.low_balance.subject': 'Low SMS balance',
  'notice.low_balance.text':
    'Your available balance is {{available}} {{currency}}, below your alert threshold of {{threshold}} {{currency}}. Recharge to keep sending.',
  'notice.contract_expiring.subject': 'Contract {{number}} ends in {{days}} days',
  'notice.contract_expiring.text_auto_renew':
    'Your SMS service contract {{number}} ends on {{endDate}}. It renews automatically for {{months}} months.',
  'notice.contract_expiring.text_renew':
    'Your SMS service contract {{number}} ends on {{endDate}}. Renew it to keep sending after that day.',
  'notice.sms': '{{subject}}: {{text}}',
  'notice.skipped.no_smtp': 'no SMTP server configured',
  'notice.skipped.no_sms': 'no operator account for SMS',
  'notice.skipped.no_email': 'the tenant has no contact email',
  'notice.skipped.no_phone': 'the tenant has no contact phone',
  // Announcements by email (services/announcements.ts) and recharge requests (services/recharge-requests.ts)
  'notice.announcement.subject.notice': 'Notice: {{title}}',
  'notice.announcement.subject.maintenance': 'Maintenance: {{title}}',
  'notice.announcement.subject.change': 'Change notice: {{title}}',
  'notice.announcement.window': 'When: from {{from}} until {{until}}',
  'notice.announcement.window_from': 'When: from {{from}}',
  'notice.announcement.window_until': 'Until: {{until}}',
  'notice.announcement.footer':
    'Sent by the operator of your SMS platform to the owners of your account.',
  'notice.recharge_confirmed.subject': 'Recharge of {{amount}} {{currency}} credited',
  'notice.recharge_confirmed.text':
    'Your recharge request {{id}} (payment reference {{reference}}) was confirmed: {{amount}} {{currency}} was added to your balance.',
  'notice.recharge_rejected.subject': 'Recharge request not confirmed',
  'notice.recharge_rejected.text':
    'Your recharge request {{id}} of {{amount}} {{currency}} (payment reference {{reference}}) was not confirmed: {{reason}}',

  // Statement files (reports/statement-files.ts)
  'statement.title': 'Statement',
  'statement.sheet': 'Statement {{month}}',
  'statement.period': 'Period',
  'statement.item': 'Item',
  'statement.amount': 'Amount',
  'statement.opening': 'Opening balance',
  'statement.recharges': 'Recharges',
  'statement.charges': 'Charges for messages',
  'statement.refunds': 'Refunds',
  'statement.fees': 'Fees',
  'statement.adjustments': 'Adjustments',
  'statement.closing': 'Closing balance',
  'statement.held': 'of which held for messages in flight',
  'statement.lines': 'Charges by class and destination',
  'statement.class': 'Class',
  'statement.destination': 'Destination',
  'statement.parts': 'Parts',
  'statement.generated': 'Generated {{at}}',

  // Problem details written by the HTTP layer itself (servers/http)
  'http.invalid_json': 'the request body is not valid JSON',
  'http.payload_too_large': 'the request body is larger than this server accepts',
  'http.unsupported_media_type': 'send JSON with Content-Type: application/json',
  'http.internal_error': 'something went wrong on our side (request {{requestId}})',
  'http.invalid_time': '{{name}} must be an ISO-8601 time, got "{{value}}"',
  'http.invalid_limit': 'limit must be 1-{{max}}',
  'http.unknown_status': 'unknown status {{status}}',
  'http.message_not_found': 'no message {{id}}',
  // Request validation (servers/http/closed-schemas.ts): `field` as problems name it, `a.b[0].c`
  'http.unknown_field': 'unknown field "{{field}}"',
  'http.unknown_query_parameter': 'unknown query parameter "{{field}}"',
  'http.missing_field': '{{field}} is required',
  'http.field_type': '{{field}} must be of type {{type}}',
  'http.field_enum': '{{field}} must be one of: {{values}}',
  'http.invalid_field': '{{field}} {{reason}}',
  'http.no_body': 'this request takes no body',
  // Uploads (servers/http/recharge-requests.ts)
  'http.multipart_expected': 'send this request as multipart/form-data (or JSON, without a file)',
  'http.proof_too_large': 'the proof file is larger than {{max}} MB',
  'http.proof_type': 'the proof must be a PNG, JPEG or PDF file',
  'http.too_many_parts': 'too many fields or files in the form',
  // The message log's export (servers/http/message-export.ts) and dashboard figures (stats.ts)
  'http.invalid_minutes': 'minutes must be 1-{{max}}',
  'export.messages.sheet': 'Messages',
  'export.messages.id': 'Message ID',
  'export.messages.batch': 'Batch ID',
  'export.messages.client_ref': 'Client reference',
  'export.messages.to': 'Recipient',
  'export.messages.status': 'Status',
  'export.messages.class': 'Class',
  'export.messages.parts': 'Parts',
  'export.messages.encoding': 'Encoding',
  'export.messages.price': 'Price',
  'export.messages.charged': 'Charged',
  'export.messages.currency': 'Currency',
  'export.messages.error_code': 'Error code',
  'export.messages.category': 'Failure category',
  'export.messages.channel': 'Channel',
  'export.messages.created_at': 'Accepted at (UTC)',
  'export.messages.submitted_at': 'Submitted at (UTC)',
  'export.messages.done_at': 'Final at (UTC)',
  'export.messages.text': 'Text',
  // Logging in (services/log-in.ts; docs/security.md "Lock-outs and throttling")
  'login.wrong_credentials': 'wrong email or password',
  'login.totp_required': 'enter the code from your authenticator app',
  'login.locked':
    'too many failed logins for this account from your address; try again after {{until}} ({{seconds}} s)',
  'login.throttled_address': 'too many failed logins from your address; try again in {{seconds}} s',
  'login.throttled_account': 'too many failed logins for this account; try again in {{seconds}} s',
  'login.too_many_requests':
    'too many login requests from your address; try again in {{seconds}} s',
} satisfies Record<string, string>;

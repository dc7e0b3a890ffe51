import { flushAuditOutboxes } from './audit-outboxes';

// Registered for every suite (jest setupFilesAfterEnv): no outbox timer fires after its environment is gone.
afterAll(flushAuditOutboxes);

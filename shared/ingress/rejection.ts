/** The one shape every ingress verifier returns for bad input: a 4xx status and a reason that is safe to log. */
export type RejectionStatus = 400 | 401 | 403 | 413 | 415;

export interface Rejection {
  ok: false;
  status: RejectionStatus;
  reason: string;
}

export const reject = (status: RejectionStatus, reason: string): Rejection => ({ ok: false, status, reason });

/** The export's encoder lives in shared/app so that the status page's export writes the same text. */
export * from '../../shared/app/audit-format';

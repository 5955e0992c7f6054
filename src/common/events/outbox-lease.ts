/**
 * How long the node that wrote an outbox event, or claimed it, has to dispatch it alone: after
 * that any node's dispatcher may claim it (its writer is taken to have died).
 */
export const OUTBOX_LEASE_SECONDS = 10;

import type { RouterOutputs } from './trpc';

type Out = RouterOutputs;
export type PostStatus = Out['core']['post']['get']['status'];
export type OfferingStatus = Out['core']['offering']['get']['status'];
export type OrderStatus = Out['core']['order']['get']['status'];
export type FileStatus = Out['core']['file']['get']['status'];

export const POST_STATUSES: readonly PostStatus[] = ['DRAFT', 'PUBLISHED', 'ARCHIVED'];
export const OFFERING_STATUSES: readonly OfferingStatus[] = ['DRAFT', 'ACTIVE', 'ARCHIVED'];
export const ORDER_STATUSES: readonly OrderStatus[] = ['PENDING', 'CONFIRMED', 'COMPLETED', 'CANCELLED'];
// DELETED lists nothing, so it is not offered as a filter.
export const FILE_STATUSES: readonly FileStatus[] = ['PENDING', 'UPLOADED', 'PROCESSING', 'READY', 'FAILED'];

/** The moves main.order.transition allows from each status (the server has the last word). */
export const ORDER_MOVES: Record<OrderStatus, readonly ('CONFIRMED' | 'COMPLETED' | 'CANCELLED')[]> = {
  PENDING: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  CANCELLED: [],
};

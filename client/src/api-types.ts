/** The shapes the contract answers with (docs/api), as the client hands them back. */

/** A page of a list; `nextCursor` is null on the last page. */
export type Page<T> = { items: T[]; nextCursor: string | null };

/** `limit` (1–100, default 20) and the previous page's `nextCursor`. */
export type PageOptions = { limit?: number; cursor?: string };

export type SignUpResult = { userId: string; email: string; confirmed: boolean };

export type Profile = {
  userId: string;
  email: string;
  emailVerified: boolean;
  name?: string;
  groups: string[];
  createdAt: string;
};

export type AdminUser = { userId: string; email: string; enabled: boolean; groups: string[]; createdAt: string };

export type FileVisibility = 'private' | 'public';

export type FileInfo = {
  fileId: string;
  name: string;
  contentType: string;
  size: number;
  visibility: FileVisibility;
  /** `rejected`: the uploaded bytes did not match what was declared, and were deleted. */
  status: 'pending' | 'ready' | 'rejected';
  createdAt: string;
};

/** A file with its presigned download URL (valid up to 15 minutes; null until `ready`). */
export type FileWithDownload = FileInfo & { downloadUrl: string | null };

export type UploadTicket = { fileId: string; upload: { url: string; fields: Record<string, string> }; expiresAt: string };

export type PushPlatform = 'apns' | 'apns-sandbox' | 'fcm';

export type Device = { deviceId: string; platform: PushPlatform; createdAt: string; updatedAt: string };

export type InboxNotification = {
  notificationId: string;
  title: string;
  body: string;
  /** As it was sent (`{}` when there was none). */
  data: Record<string, unknown>;
  read: boolean;
  createdAt: string;
};

export type GeoPoint = { lat: number; lng: number };

export type StoredLocation = { location: GeoPoint & { accuracyMeters?: number }; updatedAt: string };

/** `PUT /me/location`: the fences (their document ids) entered, exited, and now inside. */
export type LocationReport = StoredLocation & { entered: string[]; exited: string[]; inside: string[] };

export type PushTarget = { userIds?: string[]; topic?: string; near?: GeoPoint & { radiusMeters: number } };

export type PushMessage = { title: string; body: string; data?: Record<string, unknown> };

/**
 * What a send reached: pushes accepted for the named users' devices, topic publishes (each
 * delivered to every follower's devices), and inbox items written (one per recipient).
 */
export type PushDeliveries = { devices: number; topics: number; inbox: number };

export type AccountExport = {
  profile: Profile;
  documents: unknown[];
  files: unknown[];
  devices: unknown[];
  notifications: unknown[];
  location: StoredLocation | null;
} & Record<string, unknown>;

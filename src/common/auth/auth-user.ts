/** Who is calling: derived from a verified access token and the current state of its session. */
export interface AuthUser {
  id: string;
  sessionId: string;
  role: 'user' | 'admin';
  locale: 'en' | 'ar';
  displayName: string;
  verified: boolean;
}

import { UsersAndAuth1764000000000 } from './1764000000000-users-and-auth';

/** Every migration, oldest first. New migrations are appended here. */
export const migrations = [UsersAndAuth1764000000000];

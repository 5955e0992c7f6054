import { UsersAndAuth1764000000000 } from './1764000000000-users-and-auth';
import { ConversationsAndMessages1764000100000 } from './1764000100000-conversations-and-messages';
import { Presence1764000200000 } from './1764000200000-presence';
import { Moderation1764000300000 } from './1764000300000-moderation';
import { Search1764000400000 } from './1764000400000-search';
import { Attachments1764000500000 } from './1764000500000-attachments';
import { Notifications1764000600000 } from './1764000600000-notifications';
import { Encryption1764000700000 } from './1764000700000-encryption';
import { AttachmentsAtRest1764000800000 } from './1764000800000-attachments-at-rest';
import { Outbox1764000900000 } from './1764000900000-outbox';
import { FcmPushSubscriptions1764001100000 } from './1764001100000-fcm-push-subscriptions';
import { VoiceMessages1764001110000 } from './1764001110000-voice-messages';
import { SearchArabicClitics1764001300000 } from './1764001300000-search-arabic-clitics';
import { ScheduledMessagesAndRetention1764001500000 } from './1764001500000-scheduled-messages-and-retention';
import { Visibility1764001550000 } from './1764001550000-visibility';
import { Webhooks1764001600000 } from './1764001600000-webhooks';
import { SearchCliticReadings1764001650000 } from './1764001650000-search-clitic-readings';
import { VisibilityFunctionsCached1764001700000 } from './1764001700000-visibility-functions-cached';
import { SearchFunctionsCached1764001710000 } from './1764001710000-search-functions-cached';
import { DirectBlockInlined1764001720000 } from './1764001720000-direct-block-inlined';
import { SearchLatinFastPath1764001730000 } from './1764001730000-search-latin-fast-path';

/** Every migration, oldest first. New migrations are appended here. */
export const migrations = [
  UsersAndAuth1764000000000,
  ConversationsAndMessages1764000100000,
  Presence1764000200000,
  Moderation1764000300000,
  Search1764000400000,
  Attachments1764000500000,
  Notifications1764000600000,
  Encryption1764000700000,
  AttachmentsAtRest1764000800000,
  Outbox1764000900000,
  FcmPushSubscriptions1764001100000,
  VoiceMessages1764001110000,
  SearchArabicClitics1764001300000,
  ScheduledMessagesAndRetention1764001500000,
  Visibility1764001550000,
  Webhooks1764001600000,
  SearchCliticReadings1764001650000,
  VisibilityFunctionsCached1764001700000,
  SearchFunctionsCached1764001710000,
  DirectBlockInlined1764001720000,
  SearchLatinFastPath1764001730000,
];

import { ErrorCode } from './error-code';

export type Locale = 'en' | 'ar';

/** Human text for each code, in every supported language. */
export const ERROR_MESSAGES: Record<ErrorCode, Record<Locale, string>> = {
  VALIDATION_FAILED: {
    en: 'The request is not valid.',
    ar: 'الطلب غير صالح.',
  },
  UNAUTHORIZED: {
    en: 'Authentication is required.',
    ar: 'يجب تسجيل الدخول.',
  },
  INVALID_CREDENTIALS: {
    en: 'The email or password is incorrect.',
    ar: 'البريد الإلكتروني أو كلمة المرور غير صحيحة.',
  },
  USER_NOT_VERIFIED: {
    en: 'Only verified users can do this.',
    ar: 'هذا الإجراء متاح للمستخدمين الموثقين فقط.',
  },
  USER_SUSPENDED: {
    en: 'This account is suspended.',
    ar: 'هذا الحساب موقوف.',
  },
  MESSAGES_NOT_ALLOWED: {
    en: 'This user does not accept messages from you.',
    ar: 'هذا المستخدم لا يقبل الرسائل منك.',
  },
  BLOCKED: {
    en: 'You cannot contact this user.',
    ar: 'لا يمكنك التواصل مع هذا المستخدم.',
  },
  NOT_GROUP_ADMIN: {
    en: 'Only a group admin can do this.',
    ar: 'هذا الإجراء متاح لمشرف المجموعة فقط.',
  },
  NOT_MESSAGE_SENDER: {
    en: 'Only the sender can do this.',
    ar: 'هذا الإجراء متاح لمرسل الرسالة فقط.',
  },
  FILE_SHARING_DISABLED: {
    en: 'File sharing is turned off in this conversation.',
    ar: 'مشاركة الملفات معطلة في هذه المحادثة.',
  },
  FORBIDDEN: {
    en: 'You are not allowed to do this.',
    ar: 'غير مسموح لك بهذا الإجراء.',
  },
  NOT_FOUND: {
    en: 'Not found.',
    ar: 'غير موجود.',
  },
  EMAIL_TAKEN: {
    en: 'An account with this email already exists.',
    ar: 'يوجد حساب مسجل بهذا البريد الإلكتروني.',
  },
  FILE_TOO_LARGE: {
    en: 'The upload is too large.',
    ar: 'حجم الملف المرفوع كبير جدًا.',
  },
  PAYLOAD_TOO_LARGE: {
    en: 'The request body is too large.',
    ar: 'حجم محتوى الطلب كبير جدًا.',
  },
  UNSUPPORTED_FILE_TYPE: {
    en: 'This file type is not supported.',
    ar: 'نوع الملف غير مدعوم.',
  },
  GROUP_FULL: {
    en: 'A group can have at most 10 members.',
    ar: 'لا يمكن أن تضم المجموعة أكثر من 10 أعضاء.',
  },
  INVALID_PARTICIPANT: {
    en: 'One of the participants cannot be added.',
    ar: 'لا يمكن إضافة أحد المشاركين.',
  },
  INVALID_REPLY: {
    en: 'The message you reply to is not in this conversation.',
    ar: 'الرسالة التي ترد عليها ليست في هذه المحادثة.',
  },
  INVALID_ATTACHMENT: {
    en: 'One of the attachments cannot be used.',
    ar: 'لا يمكن استخدام أحد المرفقات.',
  },
  CONTENT_BLOCKED: {
    en: 'This message is not allowed.',
    ar: 'هذه الرسالة غير مسموح بها.',
  },
  RATE_LIMITED: {
    en: 'Too many requests. Please try again later.',
    ar: 'طلبات كثيرة جدًا. يرجى المحاولة لاحقًا.',
  },
  NOT_SCHEDULED: {
    en: 'This message is no longer scheduled.',
    ar: 'هذه الرسالة لم تعد مجدولة.',
  },
  TOO_MANY_SCHEDULED: {
    en: 'You have too many scheduled messages.',
    ar: 'لديك عدد كبير جدًا من الرسائل المجدولة.',
  },
  INTERNAL: {
    en: 'Something went wrong on our side.',
    ar: 'حدث خطأ من جهتنا.',
  },
  UNAVAILABLE: {
    en: 'The service is briefly unavailable. Please try again shortly.',
    ar: 'الخدمة غير متاحة مؤقتًا. يرجى المحاولة بعد قليل.',
  },
};

/** `Accept-Language` starting with `ar` → Arabic; present and anything else → English; absent → the user's locale. */
export function pickLocale(acceptLanguage: string | undefined, userLocale?: string): Locale {
  const header = acceptLanguage?.trim().toLowerCase();
  if (header) return header.startsWith('ar') ? 'ar' : 'en';
  return userLocale === 'ar' ? 'ar' : 'en';
}

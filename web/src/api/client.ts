import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import type { ErrorBody } from './types';

/** An answer in the API's error shape (or a network failure, `statusCode` 0). */
export class ApiError extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.message);
  }
  get code(): string {
    return this.body.code;
  }
}

export interface AuthSource {
  /** a valid access token (refreshed first when it is about to expire), or null */
  accessToken(): Promise<string | null>;
  language(): string;
  /** the service refused the token: the session is over */
  unauthorized(): void;
}

let auth: AuthSource | null = null;
export const setAuthSource = (source: AuthSource): void => {
  auth = source;
};

const PUBLIC = /\/auth\/(login|register|refresh)$/;

const authMiddleware: Middleware = {
  async onRequest({ request, schemaPath }) {
    if (auth) request.headers.set('Accept-Language', auth.language());
    if (auth && !PUBLIC.test(schemaPath)) {
      const token = await auth.accessToken();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
    }
    return request;
  },
  onResponse({ response, schemaPath }) {
    if (response.status === 401 && !PUBLIC.test(schemaPath) && !schemaPath.endsWith('/logout')) {
      auth?.unauthorized();
    }
    return response;
  },
};

/** The typed REST client: paths and bodies come from the service's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: '' });
api.use(authMiddleware);

/** Unwraps an openapi-fetch answer: its data, or an ApiError. */
export async function ok<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new ApiError({ statusCode: 0, code: 'NETWORK' as ErrorBody['code'], message: 'network' });
  }
  if (result.error !== undefined || !result.response.ok) {
    const body = result.error as ErrorBody | undefined;
    throw new ApiError(
      body?.code
        ? body
        : {
            statusCode: result.response.status,
            code: 'INTERNAL',
            message: result.response.statusText,
          },
    );
  }
  return result.data as T;
}

/** Authorised bytes of an attachment (an `<img>` cannot send the bearer token). */
export async function fetchBlob(path: string): Promise<Blob> {
  const token = await auth?.accessToken();
  const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new ApiError({ statusCode: res.status, code: 'NOT_FOUND', message: '' });
  return res.blob();
}

/** Uploads a file with progress (fetch cannot report upload progress; XHR can). */
export async function uploadFile(
  file: File,
  onProgress: (fraction: number) => void,
): Promise<import('./types').Attachment> {
  const token = await auth?.accessToken();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/attachments');
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    if (auth) xhr.setRequestHeader('Accept-Language', auth.language());
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status === 201) resolve(xhr.response as import('./types').Attachment);
      else reject(new ApiError(xhr.response as ErrorBody));
    };
    xhr.onerror = () =>
      reject(
        new ApiError({ statusCode: 0, code: 'NETWORK' as ErrorBody['code'], message: 'network' }),
      );
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}

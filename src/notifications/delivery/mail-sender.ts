import { Injectable } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { AppConfig } from '../../config/app-config';
import { ComposedEmail } from './email-composer';

/** Email through the SMTP server at `SMTP_URL`; disabled when it is unset. */
@Injectable()
export class MailSender {
  private readonly transport: Transporter | null;

  constructor(config: AppConfig) {
    const { smtpUrl, mailFrom } = config.notifications;
    // Short timeouts: a server that hangs fails the job, which retries later.
    this.transport = smtpUrl
      ? createTransport(
          {
            url: smtpUrl,
            connectionTimeout: 10_000,
            greetingTimeout: 10_000,
            socketTimeout: 30_000,
          },
          { from: mailFrom },
        )
      : null;
  }

  get enabled(): boolean {
    return this.transport !== null;
  }

  /** Rejects when the server refuses or cannot be reached: the job retries. */
  async send(to: string, email: ComposedEmail): Promise<void> {
    if (!this.transport) return;
    await this.transport.sendMail({
      to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
  }

  close(): void {
    this.transport?.close();
  }
}

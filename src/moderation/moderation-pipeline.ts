import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ContactInfoCheck } from './checks/contact-info.check';
import { CheckHit, CheckName, ModerationCheck } from './checks/moderation-check';
import { ProfanityCheck } from './checks/profanity.check';
import { fold } from './normalize';
import { maskSpans } from './normalized-text';

export type ModerationAction = 'off' | 'flag' | 'mask' | 'block';

export interface ModerationFinding {
  check: CheckName;
  action: Exclude<ModerationAction, 'off'>;
  hits: CheckHit[];
}

export interface ModerationResult {
  /** what is stored and shown: masked spans replaced with *** */
  content: string;
  moderation: 'clean' | 'masked' | 'flagged';
  /** the text as written, when something was masked (kept for reviewers only) */
  original: string | null;
  /** checks whose action is `block` and that found something */
  blocked: CheckName[];
  /** checks whose action is `flag` and that found something: a flag is opened */
  flagged: ModerationFinding[];
}

/**
 * The ordered checks every new or edited message passes before it is stored (not e2e). Each
 * check finds spans; its configured action decides what happens to them.
 */
@Injectable()
export class ModerationPipeline {
  private readonly checks: ModerationCheck[];

  constructor(private readonly config: AppConfig) {
    const { allowWords, denyWords } = config.moderation;
    this.checks = [
      new ProfanityCheck({ allow: allowWords, deny: denyWords }),
      new ContactInfoCheck(),
    ];
  }

  run(text: string): ModerationResult {
    const findings: ModerationFinding[] = [];
    const folded = fold(text);
    for (const check of this.checks) {
      const action = this.config.moderation[check.name];
      if (action === 'off') continue;
      const hits = check.find(text, folded);
      if (hits.length > 0) findings.push({ check: check.name, action, hits });
    }
    const masked = findings.filter((f) => f.action === 'mask');
    const flagged = findings.filter((f) => f.action === 'flag');
    const content = masked.length
      ? maskSpans(
          text,
          masked.flatMap((f) => f.hits.map((h): [number, number] => [h.start, h.end])),
        )
      : text;
    return {
      content,
      moderation: flagged.length ? 'flagged' : masked.length ? 'masked' : 'clean',
      original: masked.length ? text : null,
      blocked: findings.filter((f) => f.action === 'block').map((f) => f.check),
      flagged,
    };
  }
}

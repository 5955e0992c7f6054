import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { connectRunner } from './connections';

/** The transaction a piece of work runs in, and what to do once it has committed. */
interface Ambient {
  runner: QueryRunner;
  afterCommit: (() => void)[];
}

/**
 * Ambient transactions (DESIGN.md, "Invariants"): `run` opens a transaction and every
 * statement made through `Sql` (or `manager`) inside the callback, however deep, runs in it,
 * so no repository takes a transaction by hand and none can forget to. A `run` inside a `run`
 * joins the outer transaction. Work registered with `afterCommit` runs once the outermost
 * transaction has committed, and never when it rolls back.
 */
@Injectable()
export class Transactions {
  private readonly storage = new AsyncLocalStorage<Ambient>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.live()) return work();
    const runner = this.dataSource.createQueryRunner();
    await connectRunner(runner);
    const ambient: Ambient = { runner, afterCommit: [] };
    let result: T;
    try {
      await runner.startTransaction();
      result = await this.storage.run(ambient, work);
      await runner.commitTransaction();
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
    for (const hook of ambient.afterCommit) hook();
    return result;
  }

  /** Runs `work` outside the caller's transaction, on connections of its own. */
  outside<T>(work: () => Promise<T>): Promise<T> {
    return this.storage.exit(work);
  }

  /** The transaction's connection, when the caller runs inside one. */
  current(): QueryRunner | undefined {
    return this.live()?.runner;
  }

  /** TypeORM's entity manager of the ambient transaction, or of the pool. */
  get manager(): EntityManager {
    return this.current()?.manager ?? this.dataSource.manager;
  }

  /**
   * Runs `hook` after the ambient transaction commits, or at once outside a transaction (the
   * statement that made the change has committed by itself).
   */
  afterCommit(hook: () => void): void {
    const ambient = this.live();
    if (ambient) ambient.afterCommit.push(hook);
    else hook();
  }

  /**
   * The caller's transaction while it runs; none once it has ended, for work that it started
   * and that goes on after it (a promise it did not wait for).
   */
  private live(): Ambient | undefined {
    const ambient = this.storage.getStore();
    return ambient && !ambient.runner.isReleased ? ambient : undefined;
  }
}

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import express, { type NextFunction, type Request, type Response } from 'express';

/** Where `npm run build` puts the client (`web/dist`), from the repository root. */
export const WEB_DIST_DIR = resolve('web/dist');

/** Paths that belong to the service: never the client's files nor its fallback page. */
const SERVICE_PATHS = /^\/(api|docs|health|metrics|socket\.io)(\/|$|-)/;
const YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * Serves the web client at `/`: hashed files under `/assets/` are cached for a year, the
 * `index.html` page never (a new build is seen at once). A `GET` of any other path that asks for
 * HTML gets the page (the client routes itself); everything else falls through to the service,
 * so the API, the docs, health and metrics keep their paths and their `404`. Mounted on the
 * whole server (not under the API prefix) after the routes, before the not-found answer.
 */
@Injectable()
export class WebClient implements OnModuleInit {
  private readonly logger = new Logger('WebClient');
  private readonly indexFile = join(WEB_DIST_DIR, 'index.html');
  private readonly available = existsSync(this.indexFile);
  private readonly files = express.static(WEB_DIST_DIR, {
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      res.setHeader(
        'Cache-Control',
        path.startsWith(join(WEB_DIST_DIR, 'assets'))
          ? `public, max-age=${YEAR_SECONDS}, immutable`
          : 'no-cache',
      );
    },
  });

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    if (!this.available) {
      this.logger.warn(`no web client at ${WEB_DIST_DIR} (npm run build makes it)`);
      return;
    }
    this.adapterHost.httpAdapter.use((req: Request, res: Response, next: NextFunction) =>
      this.serve(req, res, next),
    );
  }

  private serve(req: Request, res: Response, next: NextFunction): void {
    if (SERVICE_PATHS.test(req.path)) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    this.files(req, res, () => {
      // a browser navigating asks for HTML; API clients (and no Accept at all) get the 404
      if (req.accepts(['json', 'html']) !== 'html' || /\.[a-z0-9]+$/i.test(req.path)) {
        return next();
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(this.indexFile);
    });
  }
}

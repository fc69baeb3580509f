import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Header, Inject, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { firstValueFrom, Observable } from 'rxjs';
import { ruleDetail, reviewsList, RunFilter, runsList, runTimeline, rulesList } from '@loopwright/projections';
import { PROJECTION_WATCH, PROJECTIONS_DB } from './console.tokens';
import { tierShareView } from './tier-share-view';
import { dashboardPage } from './web/dashboard-page';
import { runPage } from './web/run-page';
import { layout } from './web/layout';
import { html } from './web/html';

const STATIC = path.join(__dirname, 'web', 'static');
const asset = (name: string) => readFileSync(path.join(STATIC, name), 'utf8');

/** Nothing loads from anywhere but the console itself. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'";

/** The web page: server-rendered HTML over the projections, and the one small script that makes it live. */
@Controller()
export class PagesController {
  private readonly scriptText = asset('console.js');
  private readonly styleText = asset('console.css');

  constructor(
    @Inject(PROJECTIONS_DB) private readonly db: DataSource,
    @Inject(PROJECTION_WATCH) private readonly position: Observable<number>,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  async dashboard(@Query() q: Record<string, string | undefined>): Promise<string> {
    const filter: RunFilter = { status: q['status'] || undefined, role: q['role'] || undefined, backend: q['backend'] || undefined, text: q['text'] || undefined, limit: 50 };
    const [tierShare, runs, openReviews, ruleRows, position] = await Promise.all([
      tierShareView(this.db), runsList(this.db, filter), reviewsList(this.db, { status: 'open' }), rulesList(this.db), firstValueFrom(this.position),
    ]);
    const rules = await Promise.all(ruleRows.map(async (r) => (await ruleDetail(this.db, r.ruleId))!));
    return dashboardPage({ tierShare, runs, filter, openReviews, rules, position });
  }

  @Get('runs/:runId')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  async run(@Param('runId') runId: string, @Res({ passthrough: true }) response: Response): Promise<string> {
    const [timeline, position] = await Promise.all([runTimeline(this.db, runId), firstValueFrom(this.position)]);
    if (!timeline) {
      response.status(404);
      return layout('No such run', html`<p>No run <code>${runId}</code> in the projections. A run just submitted appears once the miner has projected it: this page fills in by itself. <a href="/">See all runs</a>.</p><div id="position" data-position="0"></div><section id="run" data-live></section>`);
    }
    return runPage(timeline, position);
  }

  @Get('console.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  consoleScript(): string {
    return this.scriptText;
  }

  @Get('console.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  consoleStyle(): string {
    return this.styleText;
  }
}

import { CanActivate, ExecutionContext, HttpException, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { decideAccess } from './access';
import type { ConsoleConfig } from './console.config';
import { CONSOLE_CONFIG } from './console.tokens';

export const READ_TOKEN_COOKIE = 'loopwright_console_read';

function bearerOf(request: Request): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  return match ? match[1].trim() : undefined;
}

function cookieOf(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** Applies `decideAccess` to every HTTP request; a read token given in the query is kept in a cookie for the pages that follow. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    const queryToken = typeof request.query['token'] === 'string' ? request.query['token'] : undefined;
    const access = decideAccess(
      { method: request.method, path: request.path, bearer: bearerOf(request), readToken: queryToken ?? cookieOf(request, READ_TOKEN_COOKIE) },
      this.config,
    );
    if (!access.allowed) throw new HttpException({ statusCode: access.status, error: access.message }, access.status);
    if (queryToken !== undefined && this.config.readToken) {
      context.switchToHttp().getResponse<Response>().cookie(READ_TOKEN_COOKIE, queryToken, { httpOnly: true, sameSite: 'strict', path: '/' });
    }
    return true;
  }
}

import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ValidationError } from '@loopwright/core';

/** Bad input answers 400 with the message (which says what to do next) and the fields at fault. */
@Catch(ValidationError)
export class ValidationErrorFilter implements ExceptionFilter {
  catch(error: ValidationError, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(400).json({ statusCode: 400, error: error.message, issues: error.issues });
  }
}

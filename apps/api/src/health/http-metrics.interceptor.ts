import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { type Observable, tap } from 'rxjs';
import { errorResponse } from '../common/api-exception.filter.js';
import { ApiMetrics } from './api-metrics.js';

interface HttpPair {
  method: string;
  route?: { path?: string };
}

/** Times every REST request by route pattern (not raw URL, to keep label cardinality bounded). */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  constructor(@Inject(ApiMetrics) private readonly metrics: ApiMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<HttpPair>();
    const response = context.switchToHttp().getResponse<{ statusCode: number }>();
    const stop = this.metrics.httpRequests.startTimer();
    const record = (status: number) =>
      stop({ method: request.method, route: request.route?.path ?? 'unknown', status: String(status) });
    return next.handle().pipe(
      tap({
        complete: () => record(response.statusCode),
        // The filter has not written the response yet: take the status it will write.
        error: (error: unknown) => record(errorResponse(error).status),
      }),
    );
  }
}

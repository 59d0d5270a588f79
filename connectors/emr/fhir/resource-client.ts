// Reading and writing FHIR resources for the EMR adapter: read by id, search following next links (bounded),
// find by our identifier, conditional create, versioned PUT, and the upsert every write uses.
import type { Resource } from '@medplum/fhirtypes';
import type { z } from 'zod';
import { EmrContractViolation, EmrTransportError } from '../errors.js';
import type { UpsertResult } from '../types.js';
import * as S from './schemas.js';
import type { FhirTransport } from './transport.js';

export type Parsed<T extends z.ZodType> = z.infer<T>;

/** "Patient/123" → "123" when the reference points at that type. */
export function refId(ref: { reference?: string } | undefined, type: string): string | undefined {
  const m = ref?.reference?.match(/^(?:.*\/)?([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/);
  return m && m[1] === type ? m[2] : undefined;
}

export function identifierValue(ids: { system?: string; value?: string }[] | undefined, system: string) {
  return ids?.find((i) => i.system === system)?.value;
}

function identifierToken(system: string, value: string): string {
  return encodeURIComponent(`${system}|${value}`);
}

export function minutesBetween(start: string, end: string): number {
  return Math.round((Date.parse(end) - Date.parse(start)) / 60_000);
}

/** HTTP status of a PUT whose If-Match version was stale: the resource changed since we read it. */
export function isVersionConflict(status: number): boolean {
  return status === 409 || status === 412;
}

export class FhirResourceClient {
  constructor(
    private readonly http: FhirTransport,
    private readonly pageSize: number,
    private readonly maxPages: number,
  ) {}

  async read<T extends z.ZodType>(schema: T, type: string, id: string): Promise<Parsed<T>> {
    const res = await this.http.request({
      method: 'GET',
      path: `${type}/${encodeURIComponent(id)}`,
      what: type,
    });
    return S.parseResource(schema, res.body, type);
  }

  /** Search and follow next links, returning matches of `type` only (no included resources). */
  async search<T extends z.ZodType>(
    schema: T,
    type: string,
    query: string,
    limit = Number.POSITIVE_INFINITY,
  ): Promise<Parsed<T>[]> {
    const out: Parsed<T>[] = [];
    let path: string | undefined = `${type}?${query}&_count=${this.pageSize}`;
    for (let page = 0; path !== undefined && out.length < limit; page++) {
      if (page >= this.maxPages)
        throw new EmrContractViolation(`EMR ${type} search exceeded ${this.maxPages} pages`);
      const res = await this.http.request({ method: 'GET', path, what: `${type} search` });
      const bundle = S.parseResource(S.Bundle, res.body, `${type} search Bundle`);
      for (const e of bundle.entry ?? []) {
        if (e.search?.mode === 'include' || e.resource?.resourceType !== type) continue;
        out.push(S.parseResource(schema, e.resource, type));
      }
      path = bundle.link?.find((l) => l.relation === 'next')?.url;
    }
    return out.slice(0, limit);
  }

  async findByIdentifier<T extends z.ZodType>(
    schema: T,
    type: string,
    system: string,
    value: string,
  ): Promise<Parsed<T> | undefined> {
    const found = await this.search(schema, type, `identifier=${identifierToken(system, value)}`, 2);
    if (found.length > 1)
      throw new EmrContractViolation(`EMR holds more than one ${type} with our identifier`);
    return found[0];
  }

  /** Conditional create: the server returns the existing resource (200) instead of a second one (201). */
  async createOnce(resource: Resource, system: string, value: string): Promise<UpsertResult> {
    const type = resource.resourceType;
    const res = await this.http.request({
      method: 'POST',
      path: type,
      body: resource,
      headers: { 'if-none-exist': `identifier=${identifierToken(system, value)}` },
      what: type,
    });
    if (res.body === undefined) {
      // Servers may answer with Prefer: return=minimal semantics; fall back to the Location header.
      const id = res.headers.get('location')?.match(new RegExp(`${type}/([A-Za-z0-9\\-.]{1,64})`))?.[1];
      if (!id) throw new EmrContractViolation(`EMR ${type} create returned no id`);
      return { emrId: id, created: res.status === 201 };
    }
    const written = S.parseResource(S.Written, res.body, type);
    return { emrId: written.id, created: res.status === 201 };
  }

  async put(resource: Resource & { id: string }, version: string | undefined, what: string) {
    const res = await this.http.request({
      method: 'PUT',
      path: `${resource.resourceType}/${encodeURIComponent(resource.id)}`,
      body: resource,
      headers: version ? { 'if-match': `W/"${version}"` } : {},
      what,
      passStatuses: [409, 412],
    });
    return res;
  }

  /** Create by our identifier, or replace the existing resource's content with ours. */
  async upsert<T extends Resource>(
    type: string,
    system: string,
    value: string,
    build: (existing: Record<string, unknown> | undefined) => T,
  ): Promise<UpsertResult> {
    const existing = await this.findByIdentifier(S.Written, type, system, value);
    if (!existing) return this.createOnce(build(undefined), system, value);
    const next = { ...build(existing), id: existing.id } as T & { id: string };
    const res = await this.put(next, existing.meta?.versionId, type);
    if (isVersionConflict(res.status)) {
      // Someone changed it between our read and write: retryable, the next attempt re-reads.
      throw new EmrTransportError(`EMR ${type} changed concurrently`);
    }
    return { emrId: existing.id, created: false };
  }
}

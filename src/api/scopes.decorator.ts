import { SetMetadata } from '@nestjs/common';
export type ApiScope = 'read' | 'ingest' | 'admin';
export const SCOPES = 'scopes';
export const Scopes = (...scopes: ApiScope[]) => SetMetadata(SCOPES, scopes);

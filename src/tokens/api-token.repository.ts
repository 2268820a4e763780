import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { ApiToken } from '../entities/api-token.entity';
import { isUniqueViolation } from '../database/pg-errors';
import { TokenExistsError } from './tokens.errors';

@Injectable()
export class ApiTokenRepository {
  constructor(@InjectRepository(ApiToken) private readonly repo: Repository<ApiToken>) {}

  /** Inserts a new token; a name already taken (also by a revoked token) is TokenExistsError. */
  async insert(token: ApiToken): Promise<ApiToken> {
    try {
      return await this.repo.save(token);
    } catch (e) {
      if (isUniqueViolation(e, 'uq_api_tokens_name'))
        throw new TokenExistsError(`a token named ${token.name} exists (a revoked token keeps its name)`, {
          cause: e,
        });
      throw e;
    }
  }

  findByName(name: string): Promise<ApiToken | null> {
    return this.repo.findOneBy({ name });
  }

  /** The tokens, oldest first: every one, or only the active (not revoked) ones, or only the revoked ones. */
  list(filter: { active?: boolean } = {}): Promise<ApiToken[]> {
    const where = filter.active === undefined ? {} : { revokedAt: filter.active ? IsNull() : Not(IsNull()) };
    return this.repo.find({ where, order: { createdAt: 'ASC', name: 'ASC' } });
  }

  async markRevoked(token: ApiToken): Promise<void> {
    await this.repo.update({ id: token.id }, { revokedAt: token.revokedAt });
  }

  async markUsed(id: string, at: Date): Promise<void> {
    await this.repo.update({ id }, { lastUsedAt: at });
  }
}

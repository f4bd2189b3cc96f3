import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000000_review_verified_install extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "reviews" add column "verified_install" boolean not null default false;`);
  }
}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261205000200_execution_http extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`executions\` add column \`http_requests\` json null;`);
  }
}

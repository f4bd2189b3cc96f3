import { Migration } from '@mikro-orm/migrations';

export class Migration20261122130000_settings extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table \`settings\` (\`key\` text not null, \`value\` text not null, primary key (\`key\`));`);
  }
}

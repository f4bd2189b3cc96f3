import { builder } from './builder.ts';
import './types/User.ts';
import './types/Plugin.ts';
import './types/PluginVersion.ts';
import './types/Review.ts';
import './types/Clip.ts';
import './types/Installation.ts';
import './types/Execution.ts';
import './types/Schedule.ts';
import './types/ApiToken.ts';
import './types/AuditEvent.ts';
import './types/InstallPlan.ts';
import './types/UpgradePreview.ts';
import './types/SigningKey.ts';
import './types/UsageStats.ts';
import './types/Publishing.ts';

export const schema = builder.toSchema({ sortSchema: true });

// A Fargate batch job in the style of the talk's slide: no desired_count, so no service;
// it runs with `hako oneshot apps/awesome-batch.jsonnet -- CMD ARGS`.
local utils = import 'lib/utils.libsonnet';

{
  scheduler: utils.batchScheduler(cpu=4096, memory=8192),
  app: {
    image: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/awesome_app',
    cpu: 4096,
    memory: 8192,
    secrets: [
      utils.secret('AWESOME_TOKEN_SECRET'),
      utils.secret('DB_PASSWORD'),
      utils.secret('QUEUERY_TOKEN'),
    ],
    env: {
      QUEUERY_URL: 'https://queuery.example.com',
      BATCH_ENV: std.extVar('appId'),
    },
    log_configuration: utils.logs,
  },
  scripts: [
    { type: 'create_aws_cloud_watch_logs_log_group' },
    utils.jenkinsTag('awesome-batch'),
  ],
}

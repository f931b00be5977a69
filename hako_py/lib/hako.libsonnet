// hako.libsonnet: helpers shipped with hako-py. `import 'hako.libsonnet'` from any definition.
//
// Repository settings come from hako.toml through std.extVar('hako'):
//   { app_id, region, account_id, partition, parameter_prefix }
//
// Strings are joined with + rather than std.format (%): go-jsonnet's std.format costs
// ~0.7 ms a call, more than the rest of a typical definition's evaluation.
local hako = std.extVar('hako');

local need(field, what) =
  if hako[field] == null then
    error 'hako.toml: set ' + field + ' to use ' + what
  else hako[field];

{
  // The repository settings, e.g. hako.region.
  config:: hako,

  // secret(name) -> { name, value_from } reading SSM parameter <parameter_prefix><name>
  // (default prefix /hako/<appId>/). `parameter` overrides the parameter name
  // (relative names get the prefix, names starting with '/' are used as they are).
  secret(name, parameter=null)::
    local param = if parameter == null then hako.parameter_prefix + name
                  else if std.startsWith(parameter, '/') then parameter
                  else hako.parameter_prefix + parameter;
    local path = if std.startsWith(param, '/') then param else '/' + param;
    {
      name: name,
      value_from: 'arn:' + hako.partition + ':ssm:' + need('region', 'secret()') + ':'
                  + need('account_id', 'secret()') + ':parameter' + path,
    },

  // secretsManager(name, secret_name, json_key=null) -> { name, value_from } reading a
  // Secrets Manager secret, or one JSON key of it.
  secretsManager(name, secret_name, json_key=null)::
    local base = if std.startsWith(secret_name, 'arn:') then secret_name
                 else 'arn:' + hako.partition + ':secretsmanager:' + need('region', 'secretsManager()') + ':'
                      + need('account_id', 'secretsManager()') + ':secret:' + secret_name;
    {
      name: name,
      value_from: if json_key == null then base else base + ':' + json_key + '::',
    },

  // awslogs(group, stream_prefix=appId, region=hako.toml region, create_group=false)
  // -> a log_configuration for the awslogs driver.
  awslogs(group=null, stream_prefix=null, region=null, create_group=false):: {
    log_driver: 'awslogs',
    options: {
      'awslogs-group': if group == null then '/ecs/' + hako.app_id else group,
      'awslogs-region': if region == null then need('region', 'awslogs()') else region,
      'awslogs-stream-prefix': if stream_prefix == null then hako.app_id else stream_prefix,
    } + (if create_group then { 'awslogs-create-group': 'true' } else {}),
  },

  // jenkinsTag(job, server=null, field='git_commit') -> the scripts entry that sets the app
  // image tag from the Jenkins job's last successful build (server defaults to $JENKINS_URL).
  jenkinsTag(job, server=null, field=null)::
    { type: 'jenkins_tag', job: job }
    + (if server == null then {} else { server: server })
    + (if field == null then {} else { field: field }),

  // ecrTag(pattern='.*') -> the scripts entry that sets the app image tag to the newest ECR
  // tag matching pattern.
  ecrTag(pattern=null):: { type: 'ecr_tag' } + (if pattern == null then {} else { pattern: pattern }),

  // fargate(cluster, subnets, security_groups, cpu, memory, ...) -> a scheduler for Fargate.
  fargate(cluster, subnets, security_groups=[], cpu=256, memory=512, desired_count=null,
          execution_role_arn=null, task_role_arn=null, assign_public_ip='DISABLED',
          platform_version='LATEST', region=null):: {
    type: 'ecs',
    region: if region == null then need('region', 'fargate()') else region,
    cluster: cluster,
    launch_type: 'FARGATE',
    platform_version: platform_version,
    requires_compatibilities: ['FARGATE'],
    network_mode: 'awsvpc',
    cpu: std.toString(cpu),
    memory: std.toString(memory),
    network_configuration: {
      awsvpc_configuration: {
        subnets: subnets,
        security_groups: security_groups,
        assign_public_ip: assign_public_ip,
      },
    },
  } + (if desired_count == null then {} else { desired_count: desired_count })
    + (if execution_role_arn == null then {} else { execution_role_arn: execution_role_arn })
    + (if task_role_arn == null then {} else { task_role_arn: task_role_arn }),
}

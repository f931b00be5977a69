// Network settings shared by the team's apps.
{
  cluster: 'production',
  subnets: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
  security_groups: ['sg-0a1b2c3d4e5f60001'],
  execution_role_arn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  vpc_id: 'vpc-0a1b2c3d4e5f60001',
  public_subnets: ['subnet-0a1b2c3d4e5f60101', 'subnet-0a1b2c3d4e5f60102'],
  alb_security_groups: ['sg-0a1b2c3d4e5f60101'],
}

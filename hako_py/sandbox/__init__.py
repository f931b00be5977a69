"""The embedded AWS sandbox: moto's server in-process plus a simulated ECS scheduler."""

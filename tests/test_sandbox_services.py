"""The sandbox answers service requests as ECS does: defaults, launch types, DAEMON, deployments.

Every test talks to the sandbox over HTTP with boto3 and, where a real answer is published
(tests/corpus/), compares the sandbox's answer field by field (tests/ecs_corpus.py).
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from hako_py.sandbox.server import Sandbox
from tests.conftest import aws_client, unique
from tests.ecs_corpus import SERVICE_KNOWN, SERVICE_NEWER, differences, load

CONTAINER = {"name": "app", "image": "busybox", "memory": 64}
PLATFORM_RESOLVED = {"deployments[].platformVersion": "LATEST resolves to the platform version current when the "
                                                      "deployment starts; the sandbox answers today's 1.4.0 (REAL "
                                                      "repo-update-service-2026-rolling-strategy-alb)"}


def _fargate_family(ecs: Any, family: str, revisions: int = 1) -> None:
    for _ in range(revisions):
        ecs.register_task_definition(family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                     cpu="256", memory="512", containerDefinitions=[{"name": "app", "image": "busybox"}])


def _renamed_network(network: dict[str, Any], subnets: list[str], groups: list[str]) -> dict[str, str]:
    """Corpus subnet/security group IDs -> the sandbox's (the request names real ones of its VPC)."""
    awsvpc = network["awsvpcConfiguration"]
    return {**dict(zip(subnets, awsvpc["subnets"] * len(subnets), strict=False)),
            **dict(zip(groups, awsvpc["securityGroups"] * len(groups), strict=False))}


def test_create_service_without_a_launch_type_like_the_cli_example(ecs: Any) -> None:
    """CLI create-service.rst Example 2 (REAL awscli-create-service-ec2-default-launch-type): neither launchType
    nor capacityProviderStrategy sent, no cluster default strategy: launchType EC2; deploymentConfiguration
    200/100 (API DeploymentConfiguration.*), placement lists [], enableECSManagedTags false, propagateTags NONE,
    schedulingStrategy REPLICA; no platformFamily on an EC2 deployment."""
    cluster, family = unique("MyCluster-"), unique("sleep360-")
    real = load("awscli-create-service-ec2-default-launch-type", {"MyCluster": cluster, "sleep360": family})
    ecs.create_cluster(clusterName=cluster)
    for _ in range(2):
        ecs.register_task_definition(family=family, containerDefinitions=[CONTAINER])
    answer = ecs.create_service(cluster=cluster, serviceName="ecs-simple-service", taskDefinition=f"{family}:2",
                                desiredCount=1)["service"]
    assert differences(answer, real["response"]["service"], newer=SERVICE_NEWER, known=SERVICE_KNOWN) == []
    assert answer["deploymentConfiguration"] == {  # REAL awscli-create-service-ebs-volume-configurations (2025),
        "maximumPercent": 200, "minimumHealthyPercent": 100,  # repo-update-service-2026-rolling-strategy-alb
        "deploymentCircuitBreaker": {"enable": False, "rollback": False}, "strategy": "ROLLING", "bakeTimeInMinutes": 0}
    assert (answer["healthCheckGracePeriodSeconds"], answer["enableExecuteCommand"]) == (0, False)
    assert answer["availabilityZoneRebalancing"] == "ENABLED"
    described = ecs.describe_services(cluster=cluster, services=["ecs-simple-service"])["services"][0]
    assert differences(described, real["response"]["service"], newer=SERVICE_NEWER, known=SERVICE_KNOWN) == []


def test_create_fargate_service_like_the_cli_example(ecs: Any, default_network: dict[str, Any]) -> None:
    """CLI create-service.rst Example 1 (REAL awscli-create-service-fargate): platformVersion LATEST stays
    LATEST on the service while the deployment shows the resolved version; the CreateService answer carries
    the tags (API DescribeServicesRequest.include: DescribeServices shows them only with include TAGS)."""
    cluster, family = unique("MyCluster-"), unique("sample-fargate-")
    network = copy.deepcopy(default_network)
    network["awsvpcConfiguration"]["assignPublicIp"] = "ENABLED"
    real = load("awscli-create-service-fargate", {"MyCluster": cluster, "sample-fargate": family,
                                                  **_renamed_network(network, ["subnet-12344321"], ["sg-12344321"])})
    ecs.create_cluster(clusterName=cluster)
    _fargate_family(ecs, family)
    tags = [{"key": f"key{n}", "value": f"value{n}"} for n in (1, 2, 3)]
    answer = ecs.create_service(cluster=cluster, serviceName="MyService", taskDefinition=f"{family}:1", desiredCount=2,
                                launchType="FARGATE", platformVersion="LATEST", networkConfiguration=network,
                                tags=tags)["service"]
    assert differences(answer, real["response"]["service"], newer=SERVICE_NEWER,
                       known={**SERVICE_KNOWN, **PLATFORM_RESOLVED}) == []
    assert answer["deployments"][0]["platformVersion"] == "1.4.0"
    assert answer["platformFamily"] == "Linux"


def test_describe_fargate_service_like_the_developer_guide(ecs: Any, default_network: dict[str, Any]) -> None:
    """ECS Developer Guide ECS_AWSCLI_Fargate step 6 (REAL devguide-describe-services-fargate-tutorial): a
    Fargate service created without platformVersion and without assignPublicIp shows LATEST and DISABLED
    (API CreateServiceRequest.platformVersion, AwsVpcConfiguration.assignPublicIp)."""
    cluster = unique("fargate-cluster-")
    real = load("devguide-describe-services-fargate-tutorial", {
        "fargate-cluster": cluster, **_renamed_network(default_network, ["subnet-abcd1234"], ["sg-abcd1234"])})
    ecs.create_cluster(clusterName=cluster)
    definition = copy.deepcopy(real["request"]["related_register_task_definition_input"])
    arn = ecs.register_task_definition(**definition)["taskDefinition"]["taskDefinitionArn"]
    # the guide's output shows desiredCount 2 although its create command asks for 1 (see the corpus note)
    ecs.create_service(cluster=cluster, serviceName="fargate-service", taskDefinition=arn, desiredCount=2,
                       launchType="FARGATE", networkConfiguration=default_network, tags=[{"key": "k", "value": "v"}])
    described = ecs.describe_services(cluster=cluster, services=["fargate-service"])
    newer = {**SERVICE_NEWER, **{key: "CLI create-service.rst outputs (2019) have it; this 2017 capture predates it"
                                 for key in ("serviceRegistries", "schedulingStrategy", "enableECSManagedTags",
                                             "propagateTags")}}
    known = {**SERVICE_KNOWN, "deployments[].platformVersion": "0.0.1 was the Fargate platform of 2017; "
                                                               + PLATFORM_RESOLVED["deployments[].platformVersion"]}
    assert described["failures"] == real["response"]["failures"] == []
    assert differences(described["services"][0], real["response"]["services"][0], newer=newer, known=known) == []
    assert "tags" not in described["services"][0]
    tagged = ecs.describe_services(cluster=cluster, services=["fargate-service"], include=["TAGS"])["services"][0]
    assert tagged["tags"] == [{"key": "k", "value": "v"}]


def _container_instance(sandbox: Sandbox, cluster: str) -> None:
    ec2, ecs = aws_client(sandbox.url, "ec2"), aws_client(sandbox.url, "ecs")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    ecs.register_container_instance(cluster=cluster, instanceIdentityDocument=json.dumps({"instanceId": instance}))


def _eventually(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_daemon_service_like_a_real_2020_dump(ecs: Any, sandbox: Sandbox) -> None:
    """REAL repo-describe-services-daemon-ec2: a DAEMON service on EC2 has deploymentConfiguration 100/0 (ECS
    Developer Guide ecs_services: the DAEMON defaults) and a desiredCount that is its cluster's number of
    container instances ("you don't need to specify a desired number of tasks"), following new instances."""
    cluster, family = unique("avc-"), unique("avc-fronttask-")
    real = load("repo-describe-services-daemon-ec2", {"avc": cluster, "avc-fronttask": family})
    ecs.create_cluster(clusterName=cluster)
    _container_instance(sandbox, cluster)
    for _ in range(3):
        ecs.register_task_definition(family=family, containerDefinitions=[CONTAINER])
    created = ecs.create_service(cluster=cluster, serviceName="avc-frontend-service", taskDefinition=f"{family}:3",
                                 schedulingStrategy="DAEMON")["service"]
    assert created["desiredCount"] == 1
    assert created["deploymentConfiguration"] == {"maximumPercent": 100, "minimumHealthyPercent": 0,
                                                  "strategy": "ROLLING", "bakeTimeInMinutes": 0}
    described = ecs.describe_services(cluster=cluster, services=["avc-frontend-service"])["services"][0]
    assert differences(described, real["response"]["services"][0], newer=SERVICE_NEWER, known=SERVICE_KNOWN) == []
    _container_instance(sandbox, cluster)

    def desired() -> bool:
        service = ecs.describe_services(cluster=cluster, services=["avc-frontend-service"])["services"][0]
        return bool(service["desiredCount"] == 2)

    assert _eventually(desired)


def test_external_launch_type_like_ecs_anywhere(ecs: Any) -> None:
    """API CreateServiceRequest.launchType: "The EXTERNAL launch type runs your tasks on your on-premises server
    or virtual machine (VM) capacity registered to your cluster" (the sandbox refused it: "launch type should
    be one of [EC2,FARGATE]"). REAL repo-update-service-ecs-anywhere-external: the service and each deployment
    show launchType EXTERNAL, with an ECS-controller service's default deploymentConfiguration."""
    cluster, family = unique("mydc-ecs-extcluster-"), unique("ecsanywhere-")
    real = load("repo-update-service-ecs-anywhere-external", {"mydc-ecs-extcluster": cluster, "ecsanywhere": family})
    definition = load("repo-register-task-definition-ecs-anywhere-bridge")["request"]["cli_input_json"]
    ecs.create_cluster(clusterName=cluster)
    for _ in range(5):
        ecs.register_task_definition(**{**definition, "family": family})
    created = ecs.create_service(cluster=cluster, serviceName="mydc-ecs-svc", taskDefinition=f"{family}:4",
                                 desiredCount=1, launchType="EXTERNAL")["service"]
    assert created["launchType"] == created["deployments"][0]["launchType"] == "EXTERNAL"
    ecs.update_service(cluster=cluster, service="mydc-ecs-svc", taskDefinition=f"{family}:5")
    described = ecs.describe_services(cluster=cluster, services=["mydc-ecs-svc"])["services"][0]
    expected = real["response"]["service"]  # cut after deployments[] by the post: compare what it shows
    shown = {key: value for key, value in described.items() if key in expected and key != "deployments"}
    newer = {"deploymentConfiguration.strategy": SERVICE_NEWER["deploymentConfiguration.strategy"],
             "deploymentConfiguration.bakeTimeInMinutes": SERVICE_NEWER["deploymentConfiguration.bakeTimeInMinutes"]}
    assert differences(shown, {k: v for k, v in expected.items() if k != "deployments"}, newer=newer,
                       known=SERVICE_KNOWN) == []
    primary = described["deployments"][0]
    counts = "task counts follow the simulated rollout, not ECS's scheduler"
    assert differences(primary, expected["deployments"][0], known={
        "desiredCount": counts, "pendingCount": counts, "runningCount": counts,
        "rolloutStateReason": "names the deployment's id (checked below)"}) == []
    assert primary["rolloutStateReason"] == f"ECS deployment {primary['id']} in progress."
    assert ecs.list_services(cluster=cluster, launchType="EXTERNAL")["serviceArns"] == [described["serviceArn"]]


def test_rolling_defaults_like_a_real_2026_update(ecs: Any, default_network: dict[str, Any]) -> None:
    """REAL repo-update-service-2026-rolling-strategy-alb (aws ecs update-service --enable-execute-command
    --force-new-deployment): strategy ROLLING and bakeTimeInMinutes 0 never requested, circuit breaker off,
    platformVersion LATEST / platformFamily Linux, availabilityZoneRebalancing ENABLED, assignPublicIp DISABLED."""
    cluster, family = unique("retail-"), unique("retail-store-ecs-ui-")
    real = load("repo-update-service-2026-rolling-strategy-alb", {"retail-store-ecs-ui": family})
    ecs.create_cluster(clusterName=cluster)
    _fargate_family(ecs, family, revisions=4)
    ecs.create_service(cluster=cluster, serviceName="ui", taskDefinition=family, desiredCount=2, launchType="FARGATE",
                       networkConfiguration=default_network, healthCheckGracePeriodSeconds=30)
    answer = ecs.update_service(cluster=cluster, service="ui", taskDefinition=family, enableExecuteCommand=True,
                                forceNewDeployment=True)["service"]
    expected = real["response"]["service"]
    for key in ("launchType", "platformVersion", "platformFamily", "taskDefinition", "deploymentConfiguration",
                "placementConstraints", "placementStrategy", "serviceRegistries", "healthCheckGracePeriodSeconds",
                "schedulingStrategy", "deploymentController", "enableECSManagedTags", "propagateTags",
                "enableExecuteCommand", "availabilityZoneRebalancing"):
        assert differences(answer.get(key), expected[key], path=key) == []
    assert answer["taskDefinition"].endswith(f"/{family}:4")
    assert answer["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    for key in ("launchType", "platformVersion", "platformFamily"):
        assert answer["deployments"][0][key] == expected["deployments"][0][key]


def test_services_take_the_clusters_default_capacity_provider_strategy(ecs: Any,
                                                                      default_network: dict[str, Any]) -> None:
    """API CreateServiceRequest.capacityProviderStrategy: "If no capacityProviderStrategy or launchType is
    specified, the defaultCapacityProviderStrategy for the cluster is used"; the service then has no
    launchType (API Service.launchType) and, on FARGATE, platformVersion LATEST and platformFamily Linux (REAL
    awscli-update-service-desired-count-capacity-provider). Set by CreateCluster or PutClusterCapacityProviders."""
    real = load("awscli-update-service-desired-count-capacity-provider")["response"]["service"]
    strategy = [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]
    made, put = unique("c-"), unique("c-")
    ecs.create_cluster(clusterName=made, capacityProviders=["FARGATE", "FARGATE_SPOT"],
                       defaultCapacityProviderStrategy=strategy)
    ecs.create_cluster(clusterName=put)
    ecs.put_cluster_capacity_providers(cluster=put, capacityProviders=["FARGATE", "FARGATE_SPOT"],
                                       defaultCapacityProviderStrategy=strategy)
    family = unique("cp-")
    _fargate_family(ecs, family)
    for cluster in (made, put):
        assert ecs.describe_clusters(clusters=[cluster])["clusters"][0]["defaultCapacityProviderStrategy"] == strategy
        ecs.create_service(cluster=cluster, serviceName="my-http-service", taskDefinition=family, desiredCount=1,
                           networkConfiguration=default_network)
        answer = ecs.update_service(cluster=cluster, service="my-http-service", desiredCount=2)["service"]
        assert "launchType" not in answer
        for key in ("capacityProviderStrategy", "platformVersion", "platformFamily"):
            assert answer[key] == real[key], key
        deployment = answer["deployments"][0]
        assert "launchType" not in deployment
        for key in ("capacityProviderStrategy", "platformVersion", "platformFamily"):
            assert deployment[key] == real["deployments"][0][key], key


def test_availability_zone_rebalancing_of_new_services(ecs: Any) -> None:
    """API CreateServiceRequest.availabilityZoneRebalancing and AWS's notice (quoted in
    DistributedScience/Distributed-CellProfiler issue #198): ENABLED for new compatible services since
    2025-06-30, "binpack ... will default to false"; a value sent stays, and UpdateService without it keeps it."""
    cluster, family = unique("c-"), unique("az-")
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(family=family, containerDefinitions=[CONTAINER])
    answers = {
        "spread": ecs.create_service(cluster=cluster, serviceName="spread", taskDefinition=family, desiredCount=0),
        "binpack": ecs.create_service(cluster=cluster, serviceName="binpack", taskDefinition=family, desiredCount=0,
                                      placementStrategy=[{"type": "binpack", "field": "memory"}]),
        "sent": ecs.create_service(cluster=cluster, serviceName="sent", taskDefinition=family, desiredCount=0,
                                   availabilityZoneRebalancing="DISABLED"),
    }
    found = {name: answer["service"]["availabilityZoneRebalancing"] for name, answer in answers.items()}
    assert found == {"spread": "ENABLED", "binpack": "DISABLED", "sent": "DISABLED"}
    kept = ecs.update_service(cluster=cluster, service="spread", desiredCount=1)["service"]
    assert kept["availabilityZoneRebalancing"] == "ENABLED"


def test_service_connect_volumes_and_lattice_show_on_deployments(ecs: Any, default_network: dict[str, Any]) -> None:
    """API Service has no serviceConnectConfiguration, volumeConfigurations or vpcLatticeConfigurations; they
    show on the deployments (model: Deployment). REAL awscli-create-service-ebs-volume-configurations (volumes
    only in deployments[0]); devguide-create-service-service-connect (the cluster's default namespace filled in);
    CLI update-service.rst Example 4 (after --volume-configurations "[]" the new deployment has no such key)."""
    cluster, family = unique("c-"), unique("deploy-")
    ecs.create_cluster(clusterName=cluster, serviceConnectDefaults={"namespace": "service-connect"})
    _fargate_family(ecs, family, revisions=3)
    volumes = load("awscli-create-service-ebs-volume-configurations")["request"]["cli_input_json"]["volumeConfigurations"]
    lattice = [{"roleArn": "arn:aws:iam::123456789012:role/lattice", "portName": "web",
                "targetGroupArn": "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-1"}]
    created = ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=f"{family}:1", desiredCount=1,
                                 launchType="FARGATE", networkConfiguration=default_network,
                                 volumeConfigurations=volumes, vpcLatticeConfigurations=lattice)["service"]
    for key in ("volumeConfigurations", "vpcLatticeConfigurations", "serviceConnectConfiguration"):
        assert key not in created
    assert created["deployments"][0]["volumeConfigurations"] == volumes
    assert created["deployments"][0]["vpcLatticeConfigurations"] == lattice

    real = load("devguide-create-service-service-connect")
    connect = real["request"]["cli_input_json"]["serviceConnectConfiguration"]
    ecs.update_service(cluster=cluster, service="web", taskDefinition=f"{family}:2", serviceConnectConfiguration=connect)
    primary = ecs.describe_services(cluster=cluster, services=["web"])["services"][0]["deployments"][0]
    assert primary["taskDefinition"].endswith(f"{family}:2")
    expected = real["response"]["service"]["deployments"][0]["serviceConnectConfiguration"]
    known = {"logConfiguration.secretOptions": "secretOptions [] appears in this one sample only (research: '?')"}
    assert differences(primary["serviceConnectConfiguration"], expected, known=known) == []
    assert primary["volumeConfigurations"] == volumes  # not sent again: kept

    ecs.update_service(cluster=cluster, service="web", taskDefinition=f"{family}:3", volumeConfigurations=[])
    primary = ecs.describe_services(cluster=cluster, services=["web"])["services"][0]["deployments"][0]
    assert primary["taskDefinition"].endswith(f"{family}:3")
    assert "volumeConfigurations" not in primary


def test_update_service_completes_what_it_changes(ecs: Any, default_network: dict[str, Any]) -> None:
    """API AwsVpcConfiguration.assignPublicIp: "When you use create-service or update-service, the default
    is DISABLED"; a capacity provider strategy replaces the launch type (API Service.launchType: a service
    has one or the other; UpdateServiceRequest.capacityProviderStrategy: Fargate launch type -> capacity
    provider is a documented transition), and a FARGATE one runs on platform LATEST."""
    cluster, family = unique("c-"), unique("update-")
    ecs.create_cluster(clusterName=cluster)
    _fargate_family(ecs, family)
    network = copy.deepcopy(default_network)
    network["awsvpcConfiguration"]["assignPublicIp"] = "ENABLED"
    ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=family, desiredCount=0, launchType="FARGATE",
                       networkConfiguration=network)
    answer = ecs.update_service(cluster=cluster, service="web", networkConfiguration=default_network,
                                capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])["service"]
    assert answer["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert "launchType" not in answer
    assert answer["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    assert answer["platformVersion"] == "LATEST"


def _rollout_done(ecs: Any, cluster: str, seconds: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        service: dict[str, Any] = ecs.describe_services(cluster=cluster, services=["web"])["services"][0]
        if [d["rolloutState"] for d in service["deployments"]] == ["COMPLETED"] or time.monotonic() > deadline:
            return service
        time.sleep(0.02)


def test_tasks_of_a_replaced_deployment_are_stopped(ecs: Any, default_network: dict[str, Any]) -> None:
    """Two updates in a row (two deploys at once): the first deployment is replaced before it
    completes. Its tasks used to stay PROVISIONING with desired status RUNNING forever (and
    their containers kept running); ECS stops them, so once the second deployment completed
    the service runs exactly its desired count, all of the last revision."""
    cluster, family = unique("c-"), unique("replaced-")
    ecs.create_cluster(clusterName=cluster)
    _fargate_family(ecs, family, revisions=3)
    ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=f"{family}:1", desiredCount=2,
                       launchType="FARGATE", networkConfiguration=default_network)
    _rollout_done(ecs, cluster)
    ecs.update_service(cluster=cluster, service="web", taskDefinition=f"{family}:2")
    ecs.update_service(cluster=cluster, service="web", taskDefinition=f"{family}:3")
    service = _rollout_done(ecs, cluster)
    assert service["deployments"][0]["taskDefinition"].endswith(f"{family}:3")
    live = ecs.list_tasks(cluster=cluster, serviceName="web", desiredStatus="RUNNING")["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=live)["tasks"] if live else []
    assert sorted((t["taskDefinitionArn"].rsplit(":", 1)[-1], t["lastStatus"]) for t in tasks) == [
        ("3", "RUNNING"), ("3", "RUNNING")]
    stopped = ecs.list_tasks(cluster=cluster, serviceName="web", desiredStatus="STOPPED")["taskArns"]
    replaced = [t for t in ecs.describe_tasks(cluster=cluster, tasks=stopped)["tasks"]
                if t["taskDefinitionArn"].endswith(f"{family}:2")]
    assert len(replaced) == 2
    assert all(t["lastStatus"] == "STOPPED" and t["stopCode"] == "ServiceSchedulerInitiated" for t in replaced)

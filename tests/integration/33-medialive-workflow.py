# timeout: 60
"""MediaLive workflow monitor and MediaLive Anywhere with boto3: CloudWatch alarm and EventBridge rule template groups and
templates (Create/Get by id or name/List/Update/Delete, 404 and 409 paths), a signal map discovered
from a MediaLive input (CREATE_COMPLETE with the input in its MediaResourceMap), monitor deployment
answering 501 naming itself; MediaLive Anywhere networks, clusters, channel placement groups and SDI
sources (states, what holds what, nodes 501); then one CloudFormation stack with each of the nine types,
whose Outputs (Ref and Fn::GetAtt) match what the service API answers, deleted again with every
resource gone; records survive kill -9. The checks whose operations the built model or boto3's botocore lacks (botocore
1.29 on a plain Debian 12 predates the workflow monitor) say so and are skipped.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import check, check_eq, expect_error  # noqa: E402

try:
    import boto3  # noqa: F401
except ImportError:
    print("SKIP: boto3 is not installed (python3 -m pip install boto3)")
    sys.exit(77)

unique = harness.unique


def skipped(t, operation):
    why = t.lacks("medialive", operation)
    if why:
        print(f"    skip: {why}")
    return why is not None


def test_alarm_and_rule_templates(t):
    if skipped(t, "CreateCloudWatchAlarmTemplateGroup"):
        return
    ml = t.client("medialive")
    group_name = unique("noc-alarms")
    group = ml.create_cloud_watch_alarm_template_group(Name=group_name, Description="noc", Tags={"team": "noc"})
    check(group["Arn"].endswith(f":cloudwatch-alarm-template-group:{group['Id']}"), "a group's ARN ends with its id",
          group["Id"], group["Arn"])
    check_eq(ml.get_cloud_watch_alarm_template_group(Identifier=group_name)["Id"], group["Id"], "Get by name")
    expect_error(lambda: ml.create_cloud_watch_alarm_template_group(Name=group_name), 409, "ConflictException",
                 "a group name is taken once")
    tmpl = ml.create_cloud_watch_alarm_template(
        Name=unique("alerts"), GroupIdentifier=group["Id"], ComparisonOperator="GreaterThanOrEqualToThreshold",
        EvaluationPeriods=1, MetricName="ActiveAlerts", Period=60, Statistic="Maximum",
        TargetResourceType="MEDIALIVE_CHANNEL", Threshold=1, TreatMissingData="notBreaching")
    check_eq(tmpl["GroupId"], group["Id"], "a template's GroupId")
    expect_error(lambda: ml.create_cloud_watch_alarm_template(
        Name=unique("orphan"), GroupIdentifier="no-such-group", ComparisonOperator="LessThanThreshold",
        EvaluationPeriods=1, MetricName="m", Period=60, Statistic="Sum", TargetResourceType="S3_BUCKET",
        Threshold=0, TreatMissingData="missing"), 404, "NotFoundException", "a template in a missing group")
    listed = ml.list_cloud_watch_alarm_template_groups()["CloudWatchAlarmTemplateGroups"]
    check_eq([g["TemplateCount"] for g in listed if g["Id"] == group["Id"]], [1], "TemplateCount in the group summary")
    updated = ml.update_cloud_watch_alarm_template(Identifier=tmpl["Id"], Threshold=5)
    check_eq(updated["Threshold"], 5.0, "UpdateCloudWatchAlarmTemplate")
    expect_error(lambda: ml.delete_cloud_watch_alarm_template_group(Identifier=group["Id"]), 409, "ConflictException",
                 "a group with templates cannot be deleted")
    ml.delete_cloud_watch_alarm_template(Identifier=tmpl["Id"])
    ml.delete_cloud_watch_alarm_template_group(Identifier=group["Id"])
    expect_error(lambda: ml.get_cloud_watch_alarm_template_group(Identifier=group["Id"]), 404, "NotFoundException",
                 "a deleted group is gone")

    rules = ml.create_event_bridge_rule_template_group(Name=unique("rules"))
    rule = ml.create_event_bridge_rule_template(
        Name=unique("state"), GroupIdentifier=rules["Name"], EventType="MEDIALIVE_CHANNEL_STATE_CHANGE",
        EventTargets=[{"Arn": f"arn:aws:sns:{harness.REGION}:123456789012:alerts"}])
    summaries = ml.list_event_bridge_rule_templates(GroupIdentifier=rules["Id"])["EventBridgeRuleTemplates"]
    check_eq([s["EventTargetCount"] for s in summaries], [1], "EventTargetCount in the template summary")
    ml.delete_event_bridge_rule_template(Identifier=rule["Name"])
    ml.delete_event_bridge_rule_template_group(Identifier=rules["Id"])


def test_signal_map(t):
    if skipped(t, "CreateSignalMap"):
        return
    ml = t.client("medialive")
    inp = ml.create_input(Name=unique("wm-input"), Type="RTMP_PUSH",
                          Destinations=[{"StreamName": f"{unique('wm')}/main"}])["Input"]
    group = ml.create_cloud_watch_alarm_template_group(Name=unique("map-alarms"))
    created = ml.create_signal_map(Name=unique("map"), DiscoveryEntryPointArn=inp["Arn"],
                                   CloudWatchAlarmTemplateGroupIdentifiers=[group["Name"]])
    check_eq(created["MonitorDeployment"]["Status"], "NOT_DEPLOYED", "a new signal map's monitor is not deployed")
    got = ml.get_signal_map(Identifier=created["Id"])
    check_eq(got["Status"], "CREATE_COMPLETE", "discovery settles (--state-delay 0)")
    check_eq(got["MediaResourceMap"].get(inp["Arn"], {}).get("Name"), inp["Name"], "the input is in the MediaResourceMap")
    check_eq(got["CloudWatchAlarmTemplateGroupIds"], [group["Id"]], "group names resolve to ids")
    expect_error(lambda: ml.create_signal_map(Name=unique("bad"), DiscoveryEntryPointArn="nope"), 400,
                 "BadRequestException", "an entry point that is no ARN")
    if not skipped(t, "StartMonitorDeployment"):
        err = expect_error(lambda: ml.start_monitor_deployment(Identifier=created["Id"]), 501,
                           "NotImplementedException", "monitor deployment is not emulated")
        check("StartMonitorDeployment" in json.dumps(err or {}, default=str), "the 501 names the operation", "StartMonitorDeployment", err)
    ml.start_update_signal_map(Identifier=created["Id"], CloudWatchAlarmTemplateGroupIdentifiers=[])
    check_eq(ml.get_signal_map(Identifier=created["Id"])["Status"], "UPDATE_COMPLETE", "StartUpdateSignalMap settles")
    ml.delete_signal_map(Identifier=created["Id"])
    expect_error(lambda: ml.get_signal_map(Identifier=created["Id"]), 404, "NotFoundException", "a deleted signal map")
    ml.delete_cloud_watch_alarm_template_group(Identifier=group["Id"])
    ml.delete_input(InputId=inp["Id"])


def test_anywhere(t):
    if skipped(t, "CreateCluster"):
        return
    ml = t.client("medialive")
    net = ml.create_network(Name=unique("net"), IpPools=[{"Cidr": "10.1.0.0/24"}],
                            Routes=[{"Cidr": "0.0.0.0/0", "Gateway": "10.1.0.1"}])
    check_eq(ml.describe_network(NetworkId=net["Id"])["State"], "ACTIVE", "a network settles ACTIVE")
    cluster = ml.create_cluster(Name=unique("cluster"), ClusterType="ON_PREMISES",
                                InstanceRoleArn="arn:aws:iam::123456789012:role/NodeRole",
                                NetworkSettings={"DefaultRoute": "eth0", "InterfaceMappings": [
                                    {"LogicalInterfaceName": "eth0", "NetworkId": net["Id"]}]})
    check_eq(ml.describe_cluster(ClusterId=cluster["Id"])["State"], "ACTIVE", "a cluster settles ACTIVE")
    check_eq(ml.describe_network(NetworkId=net["Id"])["AssociatedClusterIds"], [cluster["Id"]], "AssociatedClusterIds")
    expect_error(lambda: ml.delete_network(NetworkId=net["Id"]), 409, "ConflictException", "a network a cluster uses stays")
    group = ml.create_channel_placement_group(ClusterId=cluster["Id"], Name=unique("cpg"))
    check_eq(group["State"], "UNASSIGNED", "a placement group without nodes is UNASSIGNED")
    expect_error(lambda: ml.create_channel_placement_group(ClusterId=cluster["Id"], Nodes=["n-1"]), 422,
                 "UnprocessableEntityException", "nodes are not emulated")
    listed = ml.list_channel_placement_groups(ClusterId=cluster["Id"])["ChannelPlacementGroups"]
    check_eq([g["Id"] for g in listed], [group["Id"]], "ListChannelPlacementGroups")
    ml.delete_channel_placement_group(ClusterId=cluster["Id"], ChannelPlacementGroupId=group["Id"])
    ml.delete_cluster(ClusterId=cluster["Id"])
    check_eq(ml.describe_cluster(ClusterId=cluster["Id"])["State"], "DELETED", "a deleted cluster shows DELETED")
    ml.delete_network(NetworkId=net["Id"])
    sdi = ml.create_sdi_source(Name=unique("cam"), Mode="INTERLEAVE", Type="SINGLE")["SdiSource"]
    check_eq((sdi["State"], ml.describe_sdi_source(SdiSourceId=sdi["Id"])["SdiSource"]["Type"]), ("IDLE", "SINGLE"),
             "an SDI source")
    ml.delete_sdi_source(SdiSourceId=sdi["Id"])
    if not skipped(t, "CreateNode"):
        expect_error(lambda: ml.create_node(ClusterId=cluster["Id"]), 501, "NotImplementedException",
                     "nodes answer 501")


STACK_TEMPLATE = {
    "Resources": {
        "Input": {"Type": "AWS::MediaLive::Input",
                  "Properties": {"Type": "RTMP_PUSH", "Destinations": [{"StreamName": "wm-stack/main"}]}},
        "AlarmGroup": {"Type": "AWS::MediaLive::CloudWatchAlarmTemplateGroup",
                       "Properties": {"Name": "stack-alarms", "Tags": {"stack": "yes"}}},
        "Alarm": {"Type": "AWS::MediaLive::CloudWatchAlarmTemplate",
                  "Properties": {"Name": "stack-alerts", "GroupIdentifier": {"Ref": "AlarmGroup"},
                                 "ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 1,
                                 "MetricName": "ActiveAlerts", "Period": 60, "Statistic": "Maximum",
                                 "TargetResourceType": "MEDIALIVE_CHANNEL", "Threshold": 0,
                                 "TreatMissingData": "notBreaching"}},
        "RuleGroup": {"Type": "AWS::MediaLive::EventBridgeRuleTemplateGroup", "Properties": {"Name": "stack-rules"}},
        "Rule": {"Type": "AWS::MediaLive::EventBridgeRuleTemplate",
                 "Properties": {"Name": "stack-state", "GroupIdentifier": {"Fn::GetAtt": ["RuleGroup", "Id"]},
                                "EventType": "MEDIALIVE_CHANNEL_ALERT"}},
        "Map": {"Type": "AWS::MediaLive::SignalMap",
                "DependsOn": ["Alarm", "Rule"],
                "Properties": {"Name": "stack-map", "DiscoveryEntryPointArn": {"Fn::GetAtt": ["Input", "Arn"]},
                               "CloudWatchAlarmTemplateGroupIdentifiers": [{"Ref": "AlarmGroup"}],
                               "EventBridgeRuleTemplateGroupIdentifiers": [{"Ref": "RuleGroup"}]}},
        "Network": {"Type": "AWS::MediaLive::Network",
                    "Properties": {"Name": "stack-net", "IpPools": [{"Cidr": "10.2.0.0/24"}],
                                   "Routes": [{"Cidr": "0.0.0.0/0", "Gateway": "10.2.0.1"}],
                                   "Tags": [{"Key": "stack", "Value": "yes"}]}},
        "Cluster": {"Type": "AWS::MediaLive::Cluster",
                    "Properties": {"Name": "stack-cluster", "ClusterType": "ON_PREMISES",
                                   "InstanceRoleArn": "arn:aws:iam::123456789012:role/NodeRole",
                                   "NetworkSettings": {"DefaultRoute": "eth0", "InterfaceMappings": [
                                       {"LogicalInterfaceName": "eth0", "NetworkId": {"Ref": "Network"}}]}}},
        "PlacementGroup": {"Type": "AWS::MediaLive::ChannelPlacementGroup",
                           "Properties": {"Name": "stack-cpg", "ClusterId": {"Ref": "Cluster"}}},
        "Sdi": {"Type": "AWS::MediaLive::SdiSource",
                "Properties": {"Name": "stack-sdi", "Mode": "QUADRANT", "Type": "QUAD"}},
    },
    "Outputs": {
        "AlarmGroupRef": {"Value": {"Ref": "AlarmGroup"}},
        "AlarmGroupArn": {"Value": {"Fn::GetAtt": ["AlarmGroup", "Arn"]}},
        "AlarmRef": {"Value": {"Ref": "Alarm"}},
        "AlarmGroupId": {"Value": {"Fn::GetAtt": ["Alarm", "GroupId"]}},
        "AlarmIdentifier": {"Value": {"Fn::GetAtt": ["Alarm", "Identifier"]}},
        "RuleGroupRef": {"Value": {"Ref": "RuleGroup"}},
        "RuleRef": {"Value": {"Ref": "Rule"}},
        "RuleArn": {"Value": {"Fn::GetAtt": ["Rule", "Arn"]}},
        "MapRef": {"Value": {"Ref": "Map"}},
        "MapStatus": {"Value": {"Fn::GetAtt": ["Map", "Status"]}},
        "MapArn": {"Value": {"Fn::GetAtt": ["Map", "Arn"]}},
        "MapCreatedAt": {"Value": {"Fn::GetAtt": ["Map", "CreatedAt"]}},
        "NetworkRef": {"Value": {"Ref": "Network"}},
        "NetworkState": {"Value": {"Fn::GetAtt": ["Network", "State"]}},
        "ClusterRef": {"Value": {"Ref": "Cluster"}},
        "ClusterArn": {"Value": {"Fn::GetAtt": ["Cluster", "Arn"]}},
        "ClusterState": {"Value": {"Fn::GetAtt": ["Cluster", "State"]}},
        "PlacementGroupRef": {"Value": {"Ref": "PlacementGroup"}},
        "PlacementGroupState": {"Value": {"Fn::GetAtt": ["PlacementGroup", "State"]}},
        "SdiRef": {"Value": {"Ref": "Sdi"}},
        "SdiArn": {"Value": {"Fn::GetAtt": ["Sdi", "Arn"]}},
    },
}


def test_stack_with_each_type(t):
    if skipped(t, "CreateSignalMap") or skipped(t, "CreateCluster"):
        return
    cf, ml = t.client("cloudformation"), t.client("medialive")
    stack = unique("workflow-monitor")
    cf.create_stack(StackName=stack, TemplateBody=json.dumps(STACK_TEMPLATE))
    cf.get_waiter("stack_create_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    out = {o["OutputKey"]: o["OutputValue"] for o in cf.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]}
    group = ml.get_cloud_watch_alarm_template_group(Identifier=out["AlarmGroupRef"])
    check_eq((group["Name"], group["Arn"], group["Tags"]), ("stack-alarms", out["AlarmGroupArn"], {"stack": "yes"}),
             "Ref AlarmGroup is its identifier; GetAtt Arn")
    alarm = ml.get_cloud_watch_alarm_template(Identifier=out["AlarmRef"])
    check_eq((alarm["Name"], alarm["GroupId"], out["AlarmGroupId"], out["AlarmIdentifier"]),
             ("stack-alerts", group["Id"], group["Id"], alarm["Id"]), "the alarm template and its GetAtt GroupId")
    rule = ml.get_event_bridge_rule_template(Identifier=out["RuleRef"])
    check_eq((rule["Arn"], rule["GroupId"]), (out["RuleArn"], out["RuleGroupRef"]), "the rule template")
    signal_map = ml.get_signal_map(Identifier=out["MapRef"])
    check_eq((signal_map["Arn"], out["MapStatus"], signal_map["CloudWatchAlarmTemplateGroupIds"],
              signal_map["EventBridgeRuleTemplateGroupIds"]),
             (out["MapArn"], "CREATE_COMPLETE", [group["Id"]], [out["RuleGroupRef"]]), "the signal map")
    check(out["MapCreatedAt"].startswith("20"), "GetAtt CreatedAt is a timestamp", "20..", out["MapCreatedAt"])
    network = ml.describe_network(NetworkId=out["NetworkRef"])
    check_eq((network["Name"], out["NetworkState"]), ("stack-net", "ACTIVE"), "Ref Network is its id; GetAtt State")
    cluster = ml.describe_cluster(ClusterId=out["ClusterRef"])
    check_eq((cluster["Arn"], out["ClusterState"], cluster["NetworkSettings"]["InterfaceMappings"][0]["NetworkId"]),
             (out["ClusterArn"], "ACTIVE", out["NetworkRef"]), "the cluster on the stack's network")
    cpg = ml.describe_channel_placement_group(ClusterId=out["ClusterRef"], ChannelPlacementGroupId=out["PlacementGroupRef"])
    check_eq((cpg["Name"], out["PlacementGroupState"]), ("stack-cpg", "UNASSIGNED"), "the channel placement group")
    sdi = ml.describe_sdi_source(SdiSourceId=out["SdiRef"])["SdiSource"]
    check_eq((sdi["Arn"], sdi["Mode"]), (out["SdiArn"], "QUADRANT"), "the SDI source")
    check_eq(ml.list_tags_for_resource(ResourceArn=network["Arn"])["Tags"], {"stack": "yes"},
             "the network's [{Key, Value}] tags")

    # An update in place: the same ids, the new settings (the update operations, StartUpdateSignalMap).
    updated = json.loads(json.dumps(STACK_TEMPLATE))
    updated["Resources"]["Alarm"]["Properties"]["Threshold"] = 2
    updated["Resources"]["Map"]["Properties"]["Description"] = "v2"
    updated["Resources"]["Sdi"]["Properties"]["Mode"] = "INTERLEAVE"
    updated["Resources"]["Network"]["Properties"]["Routes"][0]["Gateway"] = "10.2.0.254"
    cf.update_stack(StackName=stack, TemplateBody=json.dumps(updated))
    cf.get_waiter("stack_update_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    check_eq((ml.get_cloud_watch_alarm_template(Identifier=out["AlarmRef"])["Threshold"],
              ml.get_signal_map(Identifier=out["MapRef"])["Description"],
              ml.describe_sdi_source(SdiSourceId=out["SdiRef"])["SdiSource"]["Mode"],
              ml.describe_network(NetworkId=out["NetworkRef"])["Routes"][0]["Gateway"]),
             (2.0, "v2", "INTERLEAVE", "10.2.0.254"), "update-stack changes the resources in place")

    cf.delete_stack(StackName=stack)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    for what, call in (("signal map", lambda: ml.get_signal_map(Identifier=out["MapRef"])),
                       ("alarm template", lambda: ml.get_cloud_watch_alarm_template(Identifier=out["AlarmRef"])),
                       ("alarm template group", lambda: ml.get_cloud_watch_alarm_template_group(Identifier=out["AlarmGroupRef"])),
                       ("rule template", lambda: ml.get_event_bridge_rule_template(Identifier=out["RuleRef"])),
                       ("rule template group", lambda: ml.get_event_bridge_rule_template_group(Identifier=out["RuleGroupRef"]))):
        expect_error(call, 404, "NotFoundException", f"delete-stack removed the {what}")
    for what, call in (("network", lambda: ml.describe_network(NetworkId=out["NetworkRef"])),
                       ("cluster", lambda: ml.describe_cluster(ClusterId=out["ClusterRef"])),
                       ("SDI source", lambda: ml.describe_sdi_source(SdiSourceId=out["SdiRef"])["SdiSource"])):
        check_eq(call()["State"], "DELETED", f"delete-stack deleted the {what}")
    check_eq([c["Id"] for c in ml.list_clusters()["Clusters"] if c["Id"] == out["ClusterRef"]], [],
             "the deleted cluster is not listed")


def test_survive_kill9(t):
    if skipped(t, "CreateSignalMap") or skipped(t, "CreateCluster"):
        return
    ml = t.client("medialive")
    group = ml.create_event_bridge_rule_template_group(Name=unique("durable"))
    net = ml.create_network(Name=unique("durable-net"))
    t.server.restart(hard=True)
    ml = t.client("medialive")
    check_eq(ml.get_event_bridge_rule_template_group(Identifier=group["Name"])["Id"], group["Id"],
             "a template group survives kill -9")
    check_eq(ml.describe_network(NetworkId=net["Id"])["State"], "ACTIVE", "a network survives kill -9")
    ml.delete_event_bridge_rule_template_group(Identifier=group["Id"])
    ml.delete_network(NetworkId=net["Id"])


harness.main(globals())

// Physics of the BipedalWalker; constants and rules from the original release's
// domain/bipedal_walker.py (see docs/biped.md for the differences from gymnasium's v3).
#include "walker.h"

#include <box2d/box2d.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

constexpr double kFPS = 50;
constexpr double kScale = 30.0;
constexpr double kMotorsTorque = 80;
constexpr double kSpeedHip = 4;
constexpr double kSpeedKnee = 6;
constexpr double kLidarRange = 160 / kScale;
constexpr double kLegDown = -8 / kScale;
constexpr double kLegW = 8 / kScale, kLegH = 34 / kScale;
constexpr double kViewportW = 600, kViewportH = 400;
constexpr double kTerrainStep = 14 / kScale;
constexpr int kTerrainLength = 200;
constexpr double kTerrainHeight = kViewportH / kScale / 4;
constexpr int kTerrainGrass = 10;
constexpr int kTerrainStartpad = 20;
constexpr double kFriction = 2.5;

/// Marks which body a fixture belongs to (stored in the body's user data).
enum BodyTag : uintptr_t { kTerrain = 0, kHull = 1, kLowerLeg0 = 2, kLowerLeg1 = 3, kOther = 4 };

struct Contacts : b2ContactListener {
  bool gameOver = false;
  bool legContact[2] = {false, false};
  static uintptr_t tag(b2Fixture *f) { return f->GetBody()->GetUserData().pointer; }
  void mark(b2Contact *c, bool begin) {
    uintptr_t a = tag(c->GetFixtureA()), b = tag(c->GetFixtureB());
    if (begin && (a == kHull || b == kHull)) gameOver = true;
    if (a == kLowerLeg0 || b == kLowerLeg0) legContact[0] = begin;
    if (a == kLowerLeg1 || b == kLowerLeg1) legContact[1] = begin;
  }
  void BeginContact(b2Contact *c) override { mark(c, true); }
  void EndContact(b2Contact *c) override { mark(c, false); }
};

/// The original's lidar callback: ignore fixtures that are not ground (category bit 1), and
/// stop at the first ground fixture Box2D reports (returning 0), which is not always the
/// nearest one (gymnasium's v3 returns the fraction instead, keeping the closest hit).
struct Lidar : b2RayCastCallback {
  double fraction = 1.0;
  float ReportFixture(b2Fixture *fixture, const b2Vec2 &, const b2Vec2 &, float f) override {
    if ((fixture->GetFilterData().categoryBits & 1) == 0) return 1;
    fraction = f;
    return 0;
  }
};

}  // namespace

struct WalkerWorld {
  b2World world{b2Vec2(0, -10)};
  Contacts contacts;
  std::vector<b2Body *> terrain;
  b2Body *hull = nullptr;
  b2Body *legs[4] = {nullptr, nullptr, nullptr, nullptr};
  b2RevoluteJoint *joints[4] = {nullptr, nullptr, nullptr, nullptr};
  bool hasShaping = false;
  double prevShaping = 0;
  int timer = 0;
  int stepLimit = 1600;

  WalkerWorld() { world.SetContactListener(&contacts); }

  void clear() {
    for (b2Body *b : terrain) world.DestroyBody(b);
    terrain.clear();
    if (hull) world.DestroyBody(hull);
    hull = nullptr;
    for (auto &l : legs) {
      if (l) world.DestroyBody(l);
      l = nullptr;
    }
    for (auto &j : joints) j = nullptr;  // destroyed with their bodies
  }

  b2Body *staticBody(const b2Shape &shape) {
    b2BodyDef def;
    def.userData.pointer = kTerrain;
    b2Body *body = world.CreateBody(&def);
    b2FixtureDef fd;
    fd.shape = &shape;
    fd.friction = kFriction;
    fd.filter.categoryBits = 0x0001;
    body->CreateFixture(&fd);
    return body;
  }
};

extern "C" {

WalkerWorld *walker_create(void) { return new WalkerWorld(); }
void walker_destroy(WalkerWorld *w) { delete w; }
double walker_hull_x(const WalkerWorld *w) { return w->hull ? w->hull->GetPosition().x : 0; }

void walker_reset(WalkerWorld *w, const double *x, const double *y, int n, const double *polygons, int polygonCount,
                  double initialForce, int stepLimit, double *observation) {
  w->clear();
  w->contacts = Contacts();
  w->hasShaping = false;
  w->timer = 0;
  w->stepLimit = stepLimit;
  // Obstacles first, then the surface edges, as the original creates them.
  for (int p = 0; p < polygonCount; ++p) {
    b2Vec2 v[4];
    for (int k = 0; k < 4; ++k) v[k].Set(float(polygons[p * 8 + 2 * k]), float(polygons[p * 8 + 2 * k + 1]));
    b2PolygonShape shape;
    shape.Set(v, 4);
    w->terrain.push_back(w->staticBody(shape));
  }
  for (int i = 0; i + 1 < n; ++i) {
    b2EdgeShape edge;
    edge.SetTwoSided(b2Vec2(float(x[i]), float(y[i])), b2Vec2(float(x[i + 1]), float(y[i + 1])));
    w->terrain.push_back(w->staticBody(edge));
  }

  const double initX = kTerrainStep * kTerrainStartpad / 2;
  const double initY = kTerrainHeight + 2 * kLegH;
  {
    b2BodyDef def;
    def.type = b2_dynamicBody;
    def.position.Set(float(initX), float(initY));
    def.userData.pointer = kHull;
    w->hull = w->world.CreateBody(&def);
    const double poly[5][2] = {{-30, +9}, {+6, +9}, {+34, +1}, {+34, -8}, {-30, -8}};
    b2Vec2 v[5];
    for (int k = 0; k < 5; ++k) v[k].Set(float(poly[k][0] / kScale), float(poly[k][1] / kScale));
    b2PolygonShape shape;
    shape.Set(v, 5);
    b2FixtureDef fd;
    fd.shape = &shape;
    fd.density = 5.0f;
    fd.friction = 0.1f;
    fd.restitution = 0.0f;
    fd.filter.categoryBits = 0x0020;
    fd.filter.maskBits = 0x001;
    w->hull->CreateFixture(&fd);
    w->hull->ApplyForceToCenter(b2Vec2(float(initialForce), 0), true);
  }
  for (int side = 0; side < 2; ++side) {
    const int i = side == 0 ? -1 : +1;
    auto makeLeg = [&](double cy, double halfWidth, uintptr_t tag) {
      b2BodyDef def;
      def.type = b2_dynamicBody;
      def.position.Set(float(initX), float(cy));
      def.angle = float(i * 0.05);
      def.userData.pointer = tag;
      b2Body *body = w->world.CreateBody(&def);
      b2PolygonShape box;
      box.SetAsBox(float(halfWidth), float(kLegH / 2));
      b2FixtureDef fd;
      fd.shape = &box;
      fd.density = 1.0f;
      fd.restitution = 0.0f;
      fd.filter.categoryBits = 0x0020;
      fd.filter.maskBits = 0x001;
      body->CreateFixture(&fd);
      return body;
    };
    auto joint = [&](b2Body *a, b2Body *b, double anchorA, double anchorB, double speed, double lower, double upper) {
      b2RevoluteJointDef rjd;
      rjd.bodyA = a;
      rjd.bodyB = b;
      rjd.localAnchorA.Set(0, float(anchorA));
      rjd.localAnchorB.Set(0, float(anchorB));
      // pybox2d's revoluteJointDef sets the reference angle from the two bodies' angles when
      // both are given (found by the replay check: the hips start at +-0.05, not 0).
      rjd.referenceAngle = b->GetAngle() - a->GetAngle();
      rjd.enableMotor = true;
      rjd.enableLimit = true;
      rjd.maxMotorTorque = float(kMotorsTorque);
      rjd.motorSpeed = float(speed);
      rjd.lowerAngle = float(lower);
      rjd.upperAngle = float(upper);
      return static_cast<b2RevoluteJoint *>(w->world.CreateJoint(&rjd));
    };
    b2Body *upper = makeLeg(initY - kLegH / 2 - kLegDown, kLegW / 2, kOther);
    w->legs[2 * side] = upper;
    w->joints[2 * side] = joint(w->hull, upper, kLegDown, kLegH / 2, i, -0.8, 1.1);
    b2Body *lower = makeLeg(initY - kLegH * 3 / 2 - kLegDown, 0.8 * kLegW / 2, side == 0 ? kLowerLeg0 : kLowerLeg1);
    w->legs[2 * side + 1] = lower;
    w->joints[2 * side + 1] = joint(upper, lower, -kLegH / 2, kLegH / 2, 1, -1.6, -0.1);
  }
  const double zero[4] = {0, 0, 0, 0};
  int done = 0;
  walker_step(w, zero, observation, &done);
}

double walker_step(WalkerWorld *w, const double *action, double *s, int *done) {
  const double speeds[4] = {kSpeedHip, kSpeedKnee, kSpeedHip, kSpeedKnee};
  double a[4];
  for (int k = 0; k < 4; ++k) {
    a[k] = std::isnan(action[k]) ? 0.0 : action[k];  // a NaN output acts as 0 (docs/biped.md)
    const double sign = a[k] > 0 ? 1.0 : (a[k] < 0 ? -1.0 : 0.0);
    w->joints[k]->SetMotorSpeed(float(speeds[k] * sign));
    w->joints[k]->SetMaxMotorTorque(float(kMotorsTorque * std::clamp(std::fabs(a[k]), 0.0, 1.0)));
  }
  w->world.Step(float(1.0 / kFPS), 6 * 30, 2 * 30);

  const b2Vec2 pos = w->hull->GetPosition();
  const b2Vec2 vel = w->hull->GetLinearVelocity();
  s[0] = w->hull->GetAngle();
  s[1] = 2.0 * w->hull->GetAngularVelocity() / kFPS;
  s[2] = 0.3 * vel.x * (kViewportW / kScale) / kFPS;
  s[3] = 0.3 * vel.y * (kViewportH / kScale) / kFPS;
  for (int leg = 0; leg < 2; ++leg) {
    b2RevoluteJoint *hip = w->joints[2 * leg], *knee = w->joints[2 * leg + 1];
    s[4 + 5 * leg] = hip->GetJointAngle();
    s[5 + 5 * leg] = hip->GetJointSpeed() / kSpeedHip;
    s[6 + 5 * leg] = knee->GetJointAngle() + 1.0;
    s[7 + 5 * leg] = knee->GetJointSpeed() / kSpeedKnee;
    s[8 + 5 * leg] = w->contacts.legContact[leg] ? 1.0 : 0.0;
  }
  for (int i = 0; i < 10; ++i) {
    Lidar lidar;
    const b2Vec2 p2(float(pos.x + std::sin(1.5 * i / 10.0) * kLidarRange), float(pos.y - std::cos(1.5 * i / 10.0) * kLidarRange));
    w->world.RayCast(&lidar, pos, p2);
    s[14 + i] = lidar.fraction;
  }

  double shaping = 130 * double(pos.x) / kScale;
  shaping -= 5.0 * std::fabs(s[0]);
  double reward = w->hasShaping ? shaping - w->prevShaping : 0;
  w->prevShaping = shaping;
  w->hasShaping = true;
  for (int k = 0; k < 4; ++k) reward -= 0.00035 * kMotorsTorque * std::clamp(std::fabs(a[k]), 0.0, 1.0);

  bool finished = false;
  if (w->contacts.gameOver || pos.x < 0) finished = true;  // the original: no -100 on a fall
  if (pos.x > (kTerrainLength - kTerrainGrass) * kTerrainStep) finished = true;
  if (w->timer >= w->stepLimit) finished = true;
  w->timer += 1;
  *done = finished ? 1 : 0;
  return reward;
}

}  // extern "C"

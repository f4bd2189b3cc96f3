// C++ without its standard library (-fno-exceptions -fno-rtti): classes, templates, constexpr,
// lambdas and namespaces over the C header, which declares everything extern "C".
#include <plugboard.h>

namespace stats {

template <typename T>
class Summary {
 public:
  void add(T v) {
    if (count_ == 0 || v < min_) min_ = v;
    if (count_ == 0 || v > max_) max_ = v;
    sum_ += v;
    count_++;
  }
  T sum() const { return sum_; }
  T min() const { return min_; }
  T max() const { return max_; }
  uint32_t count() const { return count_; }

 private:
  T sum_{}, min_{}, max_{};
  uint32_t count_ = 0;
};

constexpr double mean(double sum, uint32_t n) { return n == 0 ? 0 : sum / n; }

}  // namespace stats

// Input: { "values": [numbers] }; output: { count, sum, min, max, mean }.
PB_EXPORT(summarize) {
  pb_json *in = pb_input_json();
  pb_json *values = pb_json_get(in, "values");
  if (!pb_json_is(values, PB_JSON_ARRAY)) return pb_fail("summarize: input must be { \"values\": number[] }");
  stats::Summary<double> s;
  auto each = [&s](const pb_json *v) { s.add(pb_json_num(v, 0)); };
  for (const pb_json *c = values->child; c; c = c->next) each(c);
  pb_jw w = pb_jw_new();
  pb_jw_object_begin(&w);
  pb_jw_key(&w, "count");
  pb_jw_int(&w, s.count());
  pb_jw_key(&w, "sum");
  pb_jw_number(&w, s.sum());
  pb_jw_key(&w, "min");
  pb_jw_number(&w, s.min());
  pb_jw_key(&w, "max");
  pb_jw_number(&w, s.max());
  pb_jw_key(&w, "mean");
  pb_jw_number(&w, stats::mean(s.sum(), s.count()));
  pb_jw_object_end(&w);
  pb_log_info("summarized");
  pb_output_json(&w);
  return 0;
}

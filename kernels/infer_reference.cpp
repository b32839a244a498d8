#include "kernels/infer_reference.hpp"

#include "kernels/infer.hpp"
#include "kernels/precision.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace gpushare::kernels {

infer_reference_result infer_reference(const infer_problem& problem, int columns) {
  infer_reference_result result;
  result.columns = columns >= 1 && columns <= problem.batch ? columns : problem.batch;
  const auto hidden = static_cast<std::size_t>(problem.hidden);
  const auto batch = static_cast<std::size_t>(result.columns);
  std::vector<double> x(hidden * batch);
  for (std::size_t col = 0; col < batch; ++col) {
    for (std::size_t row = 0; row < hidden; ++row) {
      x[row + col * hidden] =
          infer_input_value(problem, static_cast<int>(row), static_cast<int>(col));
    }
  }
  std::vector<double> y(hidden * batch);
  // One row of W_l at a time, so memory stays O(hidden) whatever the model size.
  std::vector<double> weight_row(hidden);
  for (int layer = 0; layer < problem.layers; ++layer) {
    for (std::size_t row = 0; row < hidden; ++row) {
      for (std::size_t k = 0; k < hidden; ++k) {
        weight_row[k] =
            infer_weight_value(problem, layer, static_cast<int>(row), static_cast<int>(k));
      }
      const float bias = infer_bias_value(problem, layer, static_cast<int>(row));
      for (std::size_t col = 0; col < batch; ++col) {
        const double* x_column = &x[col * hidden];
        double sum = 0.0; // exact products; double keeps the sum far more precise than fp32
        for (std::size_t k = 0; k < hidden; ++k) {
          sum += weight_row[k] * x_column[k];
        }
        // As cuBLAS stores C: the fp32 accumulator rounded once more to the storage type.
        const float stored = round_to_storage(static_cast<float>(sum), problem.type);
        const float activated = round_to_storage(bias_relu(stored, bias), problem.type);
        result.max_abs_activation =
            std::max({result.max_abs_activation, std::fabs(static_cast<double>(stored)),
                      std::fabs(static_cast<double>(activated))});
        y[row + col * hidden] = activated;
      }
    }
    x.swap(y);
  }
  result.output.resize(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    result.output[i] = static_cast<float>(x[i]); // storage-type values: exact in float
  }
  return result;
}

double infer_tolerance(const infer_problem& problem, double max_abs_activation) {
  const double magnitude = std::max(max_abs_activation, 1.0);
  const double per_layer = 2.0 * ulp_of(magnitude, problem.type) +
                           static_cast<double>(problem.hidden) * std::ldexp(magnitude, -24);
  return problem.layers * per_layer;
}

} // namespace gpushare::kernels
